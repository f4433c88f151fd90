// OutputSet: a command's outputs are checked before the work and land together or not at all.
#include "core/util/error.h"
#include "core/util/output_set.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text)
{
    std::ofstream(file, std::ios::binary) << text;
}

std::string read(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class TestOutputSet : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    fs::path p(const char* name) const { return fs::path(m_dir.path().toStdString()) / name; }
    QStringList entries() const
    {
        return QDir(m_dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    }

private Q_SLOTS:
    void init()
    {
        for (const QString& e : entries())
            fs::remove_all(p(qPrintable(e)));
    }

    void shouldMoveEveryFileIntoPlace_onCommit()
    {
        write(p("b.json"), "old");
        {
            pae::OutputSet set;
            const fs::path a = set.add(p("a.png"), "--out");
            const fs::path b = set.add(p("b.json"), "--metrics-out");
            QCOMPARE(a.extension().string(), std::string(".png")); // the format comes from it
            QCOMPARE(a.parent_path(), p("a.png").parent_path());
            write(a, "image");
            write(b, "new");
            QVERIFY(!fs::exists(p("a.png")));
            QCOMPARE(read(p("b.json")), std::string("old"));
            set.commit();
        }
        QCOMPARE(read(p("a.png")), std::string("image"));
        QCOMPARE(read(p("b.json")), std::string("new"));
        QCOMPARE(entries(), (QStringList{"a.png", "b.json"}));
    }

    void shouldLeaveNothing_whenNotCommitted()
    {
        {
            pae::OutputSet set;
            write(set.add(p("a.png"), "--out"), "image");
            const fs::path folder = set.addFolder(p("previews"), "--preview-dir");
            QVERIFY(fs::is_directory(folder));
            set.record(folder / "step1.png");
            write(folder / "step1.png", "frame");
        }
        QCOMPARE(entries(), QStringList{});
    }

    void shouldKeepAnExistingFolderAndWhatOthersPutThere_whenNotCommitted()
    {
        fs::create_directory(p("previews"));
        write(p("previews") / "mine.txt", "keep");
        {
            pae::OutputSet set;
            set.addFolder(p("previews"), "--preview-dir");
            set.record(p("previews") / "step1.png");
            write(p("previews") / "step1.png", "frame");
        }
        QCOMPARE(QDir(QString::fromStdString(p("previews").string())).entryList(QDir::Files), QStringList{"mine.txt"});
    }

    void shouldRefuseBadPaths_beforeAnyWork_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        QTest::addColumn<bool>("usage");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("missing folder") << "" << "nowhere/a.png" << false << "does not exist";
        QTest::newRow("a folder") << "" << "." << false << "is a folder";
        QTest::newRow("under a file") << "" << "file.txt/a.png" << false << "not a folder";
        QTest::newRow("the same file twice") << "a.png" << "./a.png" << true << "same file";
        QTest::newRow("empty") << "" << "" << true << "empty";
    }

    void shouldRefuseBadPaths_beforeAnyWork()
    {
        QFETCH(QString, first);
        QFETCH(QString, second);
        QFETCH(bool, usage);
        QFETCH(QString, mentions);
        write(p("file.txt"), "x");
        const fs::path root(m_dir.path().toStdString());
        pae::OutputSet set;
        if (!first.isEmpty())
            set.add(root / first.toStdString(), "--out");
        const fs::path target = second.isEmpty() ? fs::path() : root / second.toStdString();
        try {
            set.add(target, "--latent-out");
            QFAIL("no error");
        } catch (const pae::UsageError& e) {
            QVERIFY2(usage && QString(e.what()).contains(mentions), e.what());
        } catch (const pae::Error& e) {
            QVERIFY2(!usage && QString(e.what()).contains(mentions), e.what());
            QVERIFY2(QString(e.what()).contains("--latent-out"), e.what());
        }
    }

    void shouldRefuseAnExistingFile_withNoClobber()
    {
        write(p("a.png"), "old");
        pae::OutputSet set(true);
        QVERIFY_EXCEPTION_THROWN(set.add(p("a.png"), "--out"), pae::Error);
        set.add(p("b.png"), "--out");
        QCOMPARE(read(p("a.png")), std::string("old"));
    }

    void shouldRefuseToCommit_whenAFileWasNeverWritten()
    {
        {
            pae::OutputSet set;
            write(set.add(p("a.png"), "--out"), "image");
            set.add(p("b.png"), "--latent-out");
            QVERIFY_EXCEPTION_THROWN(set.commit(), pae::Error);
        }
        QVERIFY(!fs::exists(p("a.png")));
        QVERIFY(!fs::exists(p("b.png")));
        QCOMPARE(entries(), QStringList{});
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestOutputSet)
#include "tst_output_set.moc"
