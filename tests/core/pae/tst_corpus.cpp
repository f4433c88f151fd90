#include "TestSupport.h"
#include "core/pae/corpus.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <spdlog/sinks/ostream_sink.h>

#include <QtTest/QtTest>

#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

using pae::test::errorOf;

namespace {} // namespace

class TestCorpus : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    fs::path write(const std::string& name, const std::string& bytes)
    {
        const fs::path p = fs::path(m_dir.path().toStdString()) / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }

private Q_SLOTS:
    void shouldParsePromptsTemplateAndComments()
    {
        const fs::path f = write("emo.txt", "\xEF\xBB\xBF# Emotions for tests.\r\n"
                                            "#   template:  a {} face  \r\n"
                                            "\r\n"
                                            "  happy\t\r\n"
                                            "# a comment between prompts\n"
                                            "very sad\n"
                                            "   \n"
                                            "caf\xC3\xA9 owner \xF0\x9F\x98\x80\n"
                                            "no newline at the end");
        const pae::Corpus c = pae::loadCorpus(f);
        QCOMPARE(c.name, std::string("emo"));
        QCOMPARE(c.file, f);
        QCOMPARE(c.templ, std::string("a {} face"));
        QCOMPARE(c.prompts, (std::vector<std::string>{"happy", "very sad", "caf\xC3\xA9 owner \xF0\x9F\x98\x80",
                                                      "no newline at the end"}));
        QCOMPARE(c.templatedPrompts()[1], std::string("a very sad face"));
        QCOMPARE(c.contentHash.size(), size_t(16));
    }

    void shouldUsePromptsAsWritten_whenThereIsNoTemplate()
    {
        const pae::Corpus c = pae::loadCorpus(write("plain.txt", "# just prompts\na smiling man\n"));
        QCOMPARE(c.templ, std::string("{}"));
        QCOMPARE(c.templatedPrompts(), std::vector<std::string>{"a smiling man"});
    }

    void shouldHashContentNotName()
    {
        const std::string body = "# template: a {} face\nhappy\nsad\n";
        const pae::Corpus a = pae::loadCorpus(write("h1.txt", body));
        QCOMPARE(pae::loadCorpus(write("h2.txt", "# other comment\n" + body + "\n\n")).contentHash, a.contentHash);
        QVERIFY(pae::loadCorpus(write("h3.txt", "# template: a {} person\nhappy\nsad\n")).contentHash != a.contentHash);
        QVERIFY(pae::loadCorpus(write("h4.txt", "# template: a {} face\nsad\nhappy\n")).contentHash != a.contentHash);
        QVERIFY(pae::loadCorpus(write("h5.txt", "# template: a {} face\nhappy\nsad\nangry\n")).contentHash !=
                a.contentHash);
        // FNV-1a 64 reference values (from the algorithm's published test vectors).
        QCOMPARE(pae::fnv1a64Hex(""), std::string("cbf29ce484222325"));
        QCOMPARE(pae::fnv1a64Hex("a"), std::string("af63dc4c8601ec8c"));
        QCOMPARE(pae::fnv1a64Hex("foobar"), std::string("85944171f73967e8"));
    }

    void shouldReadEditDefaultsFromTheHeader_withoutChangingTheHash()
    {
        const pae::Corpus plain = pae::loadCorpus(write("d0.txt", "# template: a {} face\nhappy\nsad\n"));
        QVERIFY(plain.defaults.empty());
        const pae::Corpus c = pae::loadCorpus(write("d1.txt", "# Hair: moves the hair only.\n"
                                                              "# template: a {} face\n"
                                                              "#  layers:  0-3, 8 \n"
                                                              "# l2: 0.02\n"
                                                              "# space: w\n"
                                                              "# target: pae+corpus\n"
                                                              "# Note: a comment with a colon\n"
                                                              "happy\nsad\n"));
        QCOMPARE(c.defaults.layers, std::string("0-3, 8"));
        QCOMPARE(c.defaults.layersLine, 3);
        QCOMPARE(c.defaults.l2Weight.value_or(-1.f), 0.02f);
        QCOMPARE(c.defaults.sharedOffset.value_or(false), true);
        QVERIFY(c.defaults.target == pae::TargetKind::PaePlusCorpus);
        QVERIFY(!plain.defaults.target);
        QCOMPARE(c.prompts, (std::vector<std::string>{"happy", "sad"}));
        // The settings do not change what is embedded, so the embedding cache stays.
        QCOMPARE(c.contentHash, plain.contentHash);
        QCOMPARE(pae::loadCorpus(write("d2.txt", "# space: w+\nhappy\n")).defaults.sharedOffset.value_or(true), false);
    }

    void shouldDropDuplicates_withAWarningNamingTheLines()
    {
        std::ostringstream captured;
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
        pae::log::addSink(sink);
        const fs::path f = write("dup.txt", "happy\nsad\nHappy\nsad  \nvery   sad\nvery sad\n");
        const pae::Corpus c = pae::loadCorpus(f);
        QCOMPARE(c.prompts, (std::vector<std::string>{"happy", "sad", "very   sad"}));
        const std::string log = captured.str();
        QVERIFY2(log.find(f.string() + ":3: duplicate prompt 'Happy' (first on line 1)") != std::string::npos,
                 log.c_str());
        QVERIFY2(log.find(":6: duplicate prompt 'very sad' (first on line 5)") != std::string::npos, log.c_str());
    }

    void shouldRefuseBadFiles_withFileAndLineNamed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected"); // "{file}" stands for the path
        QTest::newRow("empty") << QByteArray("") << "{file}: the corpus has no prompts";
        QTest::newRow("only comments") << QByteArray("# header\n# template: a {} face\n\n")
                                       << "{file}: the corpus has no prompts";
        QTest::newRow("template without hole")
            << QByteArray("# x\n# template: a face\nhappy\n")
            << "{file}:2: the template 'a face' must contain exactly one '{}' (found 0)";
        QTest::newRow("template with two holes")
            << QByteArray("# template: a {} {} face\nhappy\n")
            << "{file}:1: the template 'a {} {} face' must contain exactly one '{}' (found 2)";
        QTest::newRow("two templates") << QByteArray("# template: a {} face\nhappy\n# template: {}\n")
                                       << "{file}:3: a second template line (the first is on line 1)";
        QTest::newRow("l2 not a number") << QByteArray("# l2: strong\nhappy\n")
                                         << "{file}:1: l2: 'strong' is not a weight from 0 to 1e6";
        QTest::newRow("l2 negative") << QByteArray("# l2: -0.1\nhappy\n")
                                     << "{file}:1: l2: '-0.1' is not a weight from 0 to 1e6";
        QTest::newRow("l2 with a comma") << QByteArray("happy\n# l2: 0,1\n")
                                         << "{file}:2: l2: '0,1' is not a weight from 0 to 1e6";
        QTest::newRow("l2 nan") << QByteArray("# l2: nan\nhappy\n") << "{file}:1: l2: 'nan' is not a weight";
        QTest::newRow("layers not rows") << QByteArray("# layers: coarse\nhappy\n")
                                         << "{file}:1: layers: 'coarse' is not a list of W+ rows (as 4-7, 0-3,8 or 8-)";
        QTest::newRow("layers empty") << QByteArray("# layers:\nhappy\n") << "{file}:1: layers: '' is not a list";
        QTest::newRow("space") << QByteArray("# space: z\nhappy\n") << "{file}:1: space: 'z' is not w+ or w";
        QTest::newRow("target") << QByteArray("happy\n# target: PAE+\n")
                                << "{file}:2: target: 'PAE+' is not one of text, pae, pae+, pae+corpus";
        QTest::newRow("two targets") << QByteArray("# target: pae\n# target: text\nhappy\n")
                                     << "{file}:2: a second target line (the first is on line 1)";
        QTest::newRow("two l2 lines") << QByteArray("# l2: 0.1\nhappy\n# l2: 0.2\n")
                                      << "{file}:3: a second l2 line (the first is on line 1)";
        QTest::newRow("latin-1") << QByteArray("happy\ncaf\xE9\n") << "{file}:2: invalid UTF-8 (byte 0xE9 at column 4)";
        QTest::newRow("overlong") << QByteArray("\xC0\xAF\n") << "{file}:1: invalid UTF-8 (byte 0xC0 at column 1)";
        QTest::newRow("surrogate") << QByteArray("ok\nok2\nx\xED\xA0\x80\n")
                                   << "{file}:3: invalid UTF-8 (byte 0xED at column 2)";
        QTest::newRow("truncated") << QByteArray("\xE2\x82") << "{file}:1: invalid UTF-8 (byte 0xE2 at column 1)";
        QTest::newRow("beyond U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << "{file}:1: invalid UTF-8 (byte 0xF4";
        QTest::newRow("in a comment") << QByteArray("# caf\xE9\nhappy\n") << "{file}:1: invalid UTF-8";
        QByteArray many;
        for (int i = 0; i <= 10000; ++i)
            many += "prompt " + QByteArray::number(i) + "\n";
        QTest::newRow("10001 prompts") << many << "{file}:10001: more than 10000 prompts";
    }
    void shouldRefuseBadFiles_withFileAndLineNamed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const fs::path f = write(std::string("bad-") + QTest::currentDataTag() + ".txt", bytes.toStdString());
        const std::string want = expected.replace("{file}", QString::fromStdString(f.string())).toStdString();
        const std::string got = errorOf([&] { pae::loadCorpus(f); });
        QVERIFY2(got.rfind(want, 0) == 0, ("got: " + got + "\nwant: " + want).c_str());
    }

    void shouldNameTheFile_whenItIsMissingOrAFolder()
    {
        const fs::path missing = fs::path(m_dir.path().toStdString()) / "nope.txt";
        const std::string m = errorOf([&] { pae::loadCorpus(missing); });
        QVERIFY2(m.rfind(missing.string() + ": cannot open the corpus", 0) == 0, m.c_str());
        const std::string d = errorOf([&] { pae::loadCorpus(fs::path(m_dir.path().toStdString())); });
        QVERIFY2(d.find("is a folder") != std::string::npos, d.c_str());
    }

    void shouldFindByNameOrPath()
    {
        QTemporaryDir rootDir;
        const fs::path root = rootDir.path().toStdString();
        std::ofstream(root / "emotion.txt") << "happy\n";
        std::ofstream(root / "age.txt") << "old\n";
        std::ofstream(root / "notes.md") << "not a corpus\n";
        fs::create_directories(root / "synthface");
        std::ofstream(root / "synthface" / "emotion.txt") << "smiling\n";

        QCOMPARE(pae::listCorpora(root), (std::vector<std::string>{"age", "emotion"}));
        QVERIFY(pae::listCorpora(root / "absent").empty());

        QCOMPARE(pae::findCorpus("emotion", root).prompts, std::vector<std::string>{"happy"});
        QCOMPARE(pae::findCorpus((root / "synthface" / "emotion.txt").string(), "/nonexistent").prompts,
                 std::vector<std::string>{"smiling"});
        // A name with '/' is a path, even without .txt
        QVERIFY(errorOf([&] {
                    pae::findCorpus((root / "synthface" / "emotion").string(), root);
                }).find("cannot open the corpus") != std::string::npos);
        // and a name ending in .txt is a path too (relative to the working directory here).
        QVERIFY(errorOf([&] { pae::findCorpus("emotion.txt", root); }).find("cannot open") != std::string::npos);

        const std::string unknown = errorOf([&] { pae::findCorpus("hairstyle", root); });
        QVERIFY2(unknown.find("no corpus named 'hairstyle'") != std::string::npos &&
                     unknown.find("(known: age, emotion)") != std::string::npos,
                 unknown.c_str());
        QVERIFY_THROWS_EXCEPTION(pae::UsageError, pae::findCorpus("", root));
    }

    void shouldLoadEveryCommittedCorpus_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("minPrompts");
        QTest::addColumn<int>("maxPrompts");
        QTest::addColumn<QString>("templ");
        QTest::newRow("emotion") << "emotion" << 200 << 500 << "a {} face";
        QTest::newRow("emotion-basic") << "emotion-basic" << 6 << 6 << "a {} face";
        QTest::newRow("hairstyle") << "hairstyle" << 80 << 150 << "a person with {}";
        QTest::newRow("hair-colour") << "hair-colour" << 30 << 100 << "a person with {} hair";
        QTest::newRow("eyes") << "eyes" << 30 << 150 << "a face with {}";
        QTest::newRow("mouth") << "mouth" << 30 << 150 << "a face with {}";
        QTest::newRow("age") << "age" << 20 << 100 << "a photo of {}";
    }
    void shouldLoadEveryCommittedCorpus()
    {
        QFETCH(QString, name);
        QFETCH(int, minPrompts);
        QFETCH(int, maxPrompts);
        QFETCH(QString, templ);
        const fs::path root = fs::path(PAE_SOURCE_DIR) / "prompts";
        const pae::Corpus c = pae::findCorpus(name.toStdString(), root);
        const int n = static_cast<int>(c.prompts.size());
        QVERIFY2(n >= minPrompts && n <= maxPrompts, qPrintable(QString("%1 prompts").arg(n)));
        QCOMPARE(QString::fromStdString(c.templ), templ);
        std::ifstream in(c.file);
        std::string first;
        std::getline(in, first);
        QVERIFY2(first.rfind("# ", 0) == 0, "a corpus starts with a comment saying what it is");
    }

    void shouldHoldTheSixBasicEmotionsInOrder()
    {
        const pae::Corpus c = pae::findCorpus("emotion-basic", fs::path(PAE_SOURCE_DIR) / "prompts");
        QCOMPARE(c.prompts, (std::vector<std::string>{"happy", "sad", "angry", "surprised", "fearful", "disgusted"}));
    }

    void shouldListTheCommittedCorpora()
    {
        const auto names = pae::listCorpora(fs::path(PAE_SOURCE_DIR) / "prompts");
        for (const char* n : {"age", "emotion", "emotion-basic", "eyes", "hair-colour", "hairstyle", "mouth"})
            QVERIFY2(std::find(names.begin(), names.end(), n) != names.end(), n);
    }
};

QTEST_GUILESS_MAIN(TestCorpus)
#include "tst_corpus.moc"
