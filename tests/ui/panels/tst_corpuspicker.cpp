#include "ui/panels/CorpusPicker.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using pae::ui::CorpusPicker;

namespace {
void touch(const QString& path, const QByteArray& content = "a happy face\n")
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}
} // namespace

class TestCorpusPicker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void shouldListTheTextFilesOfTheFolder_whenGivenACorpusRoot()
    {
        QTemporaryDir dir;
        touch(dir.filePath("hair.txt"));
        touch(dir.filePath("emotion.txt"));
        touch(dir.filePath("notes.md"));
        QDir(dir.path()).mkdir("sub.txt"); // a folder is not a corpus
        CorpusPicker picker;
        picker.setCorpusRoot(dir.path());
        QCOMPARE(picker.builtinCorpora(),
                 (QStringList{QDir(dir.path()).filePath("emotion.txt"), QDir(dir.path()).filePath("hair.txt")}));
        QCOMPARE(picker.currentCorpus(), QDir(dir.path()).filePath("emotion.txt"));
        auto* combo = picker.findChild<QComboBox*>();
        QCOMPARE(combo->itemText(0), QStringLiteral("emotion"));
        QCOMPARE(combo->itemText(1), QStringLiteral("hair"));
    }

    void shouldWarn_whenTheFolderHasNoCorpus()
    {
        QTemporaryDir dir;
        CorpusPicker picker;
        picker.setCorpusRoot(dir.filePath("missing"));
        QVERIFY(picker.currentCorpus().isEmpty());
        QVERIFY(picker.isWarningShown());
    }

    void shouldAddAndRemoveUserCorpora_whenAsked()
    {
        QTemporaryDir dir, home;
        touch(dir.filePath("emotion.txt"));
        touch(home.filePath("mine.txt"));
        CorpusPicker picker;
        picker.setCorpusRoot(dir.path());
        QSignalSpy spy(&picker, &CorpusPicker::userCorporaChanged);
        QVERIFY(!picker.addUserCorpus(home.filePath("missing.txt")));
        QVERIFY(picker.addUserCorpus(dir.filePath("emotion.txt"))); // built in already: not a second entry
        QCOMPARE(spy.count(), 0);
        QVERIFY(picker.addUserCorpus(home.filePath("mine.txt")));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(picker.userCorpora(), QStringList{home.filePath("mine.txt")});
        QVERIFY(picker.setCurrentCorpus(home.filePath("mine.txt")));
        picker.removeUserCorpus(home.filePath("mine.txt"));
        QCOMPARE(spy.count(), 2);
        QVERIFY(picker.userCorpora().isEmpty());
        QCOMPARE(picker.currentCorpus(), dir.filePath("emotion.txt"));
    }

    void shouldShowTheTemplatedPrompts_whenACorpusIsChosen()
    {
        QTemporaryDir dir;
        touch(dir.filePath("emotion.txt"), "# template: a {} face\nhappy\nsad\n");
        CorpusPicker picker;
        picker.setCorpusRoot(dir.path());
        QCOMPARE(picker.shownPrompts(), (QStringList{"a happy face", "a sad face"}));
        QVERIFY(!picker.isWarningShown());
    }

    void shouldRefuseAndSayWhy_whenAUserCorpusHasNoPrompts()
    {
        QTemporaryDir dir;
        touch(dir.filePath("empty.txt"), "# only a comment\n");
        CorpusPicker picker;
        QString error;
        QVERIFY(!picker.addUserCorpus(dir.filePath("empty.txt"), &error));
        QVERIFY2(error.contains(QStringLiteral("empty.txt")), qPrintable(error));
        QVERIFY(picker.userCorpora().isEmpty());
    }

    void shouldShowPromptsAndWarning_whenAnAnalysisArrives()
    {
        CorpusPicker picker;
        pae::PromptAnalysis a;
        a.corpusPrompts = {"a happy face", "a sad face"};
        a.basisDescription = "PCA k=2";
        a.usable = true;
        picker.setAnalysis(a);
        QCOMPARE(picker.shownPrompts(), (QStringList{"a happy face", "a sad face"}));
        QVERIFY(!picker.isWarningShown());
        a.usable = false;
        a.warn = true;
        a.warning = "the prompt has no component in this corpus";
        picker.setAnalysis(a);
        QVERIFY(picker.isWarningShown());
        QCOMPARE(picker.warningText(), QStringLiteral("the prompt has no component in this corpus"));
        // A usable prompt that does not clearly belong still warns (the wrong-corpus warning).
        a.usable = true;
        a.hasReading = true;
        a.corpusSimilarity = 0.85f;
        a.unrelatedSimilarity = 0.9f;
        a.warning = "\u201ca red sports car\u201d does not clearly belong to the corpus";
        picker.setAnalysis(a);
        QVERIFY(picker.isWarningShown());
        QVERIFY(picker.warningText().contains(QStringLiteral("does not clearly belong")));
        // No prompt: no reading, no warning.
        picker.setAnalysis(pae::PromptAnalysis{{"a happy face"}, "PCA k=2"});
        QVERIFY(!picker.isWarningShown());
    }
};

QTEST_MAIN(TestCorpusPicker)
#include "tst_corpuspicker.moc"
