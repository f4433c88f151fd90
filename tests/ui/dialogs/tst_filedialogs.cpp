// Each kind of file dialog opens where that kind of file was last opened or saved: checked
// on the real dialog the user gets, not on the remembered setting alone.
#include "StudioTestModels.h"

#include "ui/dialogs/FileDialogs.h"

#include <QDir>
#include <QFileDialog>
#include <QtTest/QtTest>

using namespace pae::ui;

namespace {

// Opens the dialog with `open` and returns the folder it showed (then cancels it).
QString folderShownBy(const std::function<void()>& open)
{
    QString shown;
    QTimer poll;
    poll.setInterval(10);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget())) {
            shown = dialog->directory().absolutePath();
            dialog->reject();
        }
    });
    poll.start();
    open();
    return shown;
}

} // namespace

class TestFileDialogs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        pae::test::isolateUserFiles(m_cache);
        // The dialog Qt draws itself: the same on every machine, and reachable from a test.
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
    }

    void shouldOpenEachKindInTheFolderLastUsedForIt()
    {
        QTemporaryDir faces, sessions;
        FileDialogs::remember(FileDialogs::Kind::Face, QDir(faces.path()).filePath(QStringLiteral("face.safetensors")));
        FileDialogs::remember(FileDialogs::Kind::Session, sessions.path());
        const QString faceFolder = folderShownBy([] {
            FileDialogs::openFile(nullptr, FileDialogs::Kind::Face, QStringLiteral("Open"), QStringLiteral("*"));
        });
        QCOMPARE(faceFolder, QDir(faces.path()).absolutePath());
        const QString sessionFolder = folderShownBy([] {
            FileDialogs::saveFile(nullptr, FileDialogs::Kind::Session, QStringLiteral("Save"),
                                  QStringLiteral("x.paesession"), QStringLiteral("*"));
        });
        QCOMPARE(sessionFolder, QDir(sessions.path()).absolutePath());
        // A kind never used starts somewhere sensible, never in a folder of another kind.
        const QString corpusFolder = folderShownBy([] {
            FileDialogs::openFile(nullptr, FileDialogs::Kind::Corpus, QStringLiteral("Add"), QStringLiteral("*"));
        });
        QVERIFY(corpusFolder != QDir(faces.path()).absolutePath() &&
                corpusFolder != QDir(sessions.path()).absolutePath());
        // A cancelled dialog changes nothing.
        QCOMPARE(FileDialogs::lastFolder(FileDialogs::Kind::Face), QDir(faces.path()).absolutePath());
    }

    void shouldFallBack_whenTheRememberedFolderIsGone()
    {
        QString gone;
        {
            QTemporaryDir dir;
            gone = dir.path();
            FileDialogs::remember(FileDialogs::Kind::Export, gone);
        }
        QVERIFY(FileDialogs::lastFolder(FileDialogs::Kind::Export) != gone);
        QVERIFY(QFileInfo(FileDialogs::lastFolder(FileDialogs::Kind::Export)).isDir());
    }

private:
    QTemporaryDir m_cache;
};

QTEST_MAIN(TestFileDialogs)
#include "tst_filedialogs.moc"
