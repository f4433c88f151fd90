#include "TestSupport.h"
#include <QtTest/QtTest>

namespace {
using pae::test::runCli;

const QString kFixtureDir = QStringLiteral(PAE_TEST_DATA_DIR "/tokenizer");

} // namespace

class TestCliTokenize : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldPrintOneIdArrayPerText()
    {
        // Ids from goldens.jsonl, made by the reference tokenizer.
        const auto r = runCli({"tokenize", "--clip", kFixtureDir, "a happy face", "don't", ""});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QStringLiteral("[912,320,607,555,913]\n[912,756,674,913]\n[912,913]\n"));
        QVERIFY(r.err.isEmpty());
    }

    void shouldTruncateTo77_keepingTheEndToken()
    {
        const auto r = runCli({"tokenize", "--clip", kFixtureDir, QString("a ").repeated(76)});
        QCOMPARE(r.exitCode, 0);
        const QStringList ids = r.out.trimmed().mid(1).chopped(1).split(',');
        QCOMPARE(ids.size(), 77);
        QCOMPARE(ids.front(), QStringLiteral("912"));
        QCOMPARE(ids.back(), QStringLiteral("913"));
        QCOMPARE(ids.at(75), QStringLiteral("320"));
    }

    void shouldExit1NamingVocabJson_whenTheFolderIsMissing()
    {
        const QString dir = kFixtureDir + "/no-such-folder";
        const auto r = runCli({"tokenize", "--clip", dir, "a happy face"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error: " + dir + "/vocab.json: "), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void shouldExit2_whenNoTextIsGiven()
    {
        const auto r = runCli({"tokenize", "--clip", kFixtureDir});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("error: "), qPrintable(r.err));
    }

    // Like every command, tokenize defaults to the built-in SynthFace CLIP when no --clip is given.
    void shouldUseTheBuiltinClip_whenNoneIsGiven()
    {
        const auto r = runCli({"tokenize", "a happy face"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!r.out.trimmed().isEmpty(), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "tst_cli_tokenize.moc"
