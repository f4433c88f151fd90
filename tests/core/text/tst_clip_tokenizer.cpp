#include "core/text/clip_tokenizer.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using pae::text::ClipTokenizer;
using Ids = std::vector<int64_t>;


namespace {

const fs::path kFixtureDir = fs::path(PAE_TEST_DATA_DIR) / "tokenizer";

struct Golden {
    std::string text;
    Ids encode;
    Ids tokenize;
    std::string decode;
};

std::vector<Golden> loadGoldens()
{
    std::ifstream in(kFixtureDir / "goldens.jsonl");
    std::vector<Golden> out;
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        out.push_back({j.at("text").get<std::string>(), j.at("encode").get<Ids>(),
                       j.at("tokenize").get<Ids>(), j.at("decode").get<std::string>()});
    }
    return out;
}

QByteArray idsText(const Ids& ids)
{
    QByteArray s;
    for (auto id : ids)
        s += QByteArray::number(static_cast<qlonglong>(id)) + ' ';
    return s;
}

void writeFile(const fs::path& path, const std::string& content)
{
    std::ofstream(path, std::ios::binary) << content;
}

// Runs `fn`, expecting a pae::Error whose message contains every one of `parts`.
template <typename Fn>
void expectError(Fn fn, const QStringList& parts)
{
    try {
        fn();
        QFAIL("no pae::Error thrown");
    } catch (const pae::Error& e) {
        const QString msg = QString::fromUtf8(e.what());
        for (const auto& p : parts)
            QVERIFY2(msg.contains(p), qPrintable(msg + " lacks " + p));
    }
}

} // namespace

class TestClipTokenizer : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp;

    // A folder holding the fixture vocabulary with one of its files replaced.
    fs::path folderWith(const QString& name, const std::string& file, const std::string& content)
    {
        const fs::path dir = fs::path(tmp.path().toStdString()) / name.toStdString();
        fs::create_directories(dir);
        fs::copy_file(kFixtureDir / "vocab.json", dir / "vocab.json", fs::copy_options::overwrite_existing);
        fs::copy_file(kFixtureDir / "merges.txt", dir / "merges.txt", fs::copy_options::overwrite_existing);
        writeFile(dir / file, content);
        return dir;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(tmp.isValid()); }

    void shouldGiveTheReferenceIds_forEveryGolden_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<Ids>("encode");
        QTest::addColumn<Ids>("tokenize");
        QTest::addColumn<QByteArray>("decode");
        const auto goldens = loadGoldens();
        QVERIFY(goldens.size() >= 50);
        int i = 0;
        for (const auto& g : goldens) {
            const QByteArray label = QByteArray::number(i++) + ": " +
                                     QString::fromStdString(g.text).left(24).toUtf8().toPercentEncoding(" ");
            QTest::newRow(label.constData())
                << QByteArray::fromStdString(g.text) << g.encode << g.tokenize
                << QByteArray::fromStdString(g.decode);
        }
    }

    void shouldGiveTheReferenceIds_forEveryGolden()
    {
        QFETCH(QByteArray, text);
        QFETCH(Ids, encode);
        QFETCH(Ids, tokenize);
        QFETCH(QByteArray, decode);
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        QCOMPARE(idsText(tok.encode(text.toStdString())), idsText(encode));
        QCOMPARE(idsText(tok.tokenize(text.toStdString())), idsText(tokenize));
        QCOMPARE(QByteArray::fromStdString(tok.decode(encode)), decode);
    }

    void shouldKnowTheFixtureVocabulary()
    {
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        QCOMPARE(tok.vocabSize(), size_t(914));
        QCOMPARE(tok.startId(), int64_t(912));
        QCOMPARE(tok.endId(), int64_t(913));
    }

    void shouldKeepTheEndToken_whenTruncatingToAShortContext()
    {
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        const auto full = tok.tokenize("a happy face with a big smile");
        QVERIFY(full.size() > 5);
        const auto cut = tok.tokenize("a happy face with a big smile", 5);
        QCOMPARE(cut.size(), size_t(5));
        QCOMPARE(idsText(Ids(cut.begin(), cut.end() - 1)), idsText(Ids(full.begin(), full.begin() + 4)));
        QCOMPARE(cut.back(), tok.endId());
        QCOMPARE(idsText(tok.tokenize("", 2)), idsText({tok.startId(), tok.endId()}));
        expectError([&] { tok.tokenize("a", 1); }, {"context length"});
    }

    void shouldRoundTripThroughDecode_whenTextIsClean()
    {
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        for (const char* text : {"a happy face", "привет мир", "ωμέγα", "你好世界", "😀 👍🏽", "1 2 3"}) {
            const std::string expected = std::string(text) + " ";
            QCOMPARE(QString::fromStdString(tok.decode(tok.encode(text))), QString::fromStdString(expected));
        }
        QCOMPARE(tok.decode({tok.startId(), tok.endId()}), std::string("<|startoftext|><|endoftext|>"));
    }

    void shouldReplaceBrokenUtf8_whenDecodingPartOfACharacter()
    {
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        const auto ids = tok.encode("😀"); // four bytes; the fixture has no merge for all of them
        QVERIFY(ids.size() >= 2);
        QCOMPARE(QString::fromStdString(tok.decode({ids.front()})), QString::fromUtf8("\xEF\xBF\xBD"));
    }

    void shouldShareResults_acrossCopiesAndThreads()
    {
        const auto goldens = loadGoldens();
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        ClipTokenizer copy = tok;
        std::vector<int> failures(4, 0);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                const ClipTokenizer& use = t % 2 ? copy : tok;
                for (int round = 0; round < 5; ++round)
                    for (const auto& g : goldens)
                        failures[t] += use.encode(g.text) != g.encode;
            });
        }
        for (auto& th : threads)
            th.join();
        QCOMPARE(failures, std::vector<int>(4, 0));
        ClipTokenizer moved = std::move(copy);
        QCOMPARE(idsText(moved.tokenize("a happy face")), idsText(tok.tokenize("a happy face")));
    }

    void shouldRefuseInvalidUtf8()
    {
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        expectError([&] { tok.encode("ab\xC3(cd"); }, {"UTF-8", "byte 2"});
        expectError([&] { tok.encode("\xED\xA0\x80"); }, {"UTF-8"}); // an encoded surrogate
    }

    void shouldRefuseUnknownIds_whenDecoding()
    {
        const auto tok = ClipTokenizer::fromFolder(kFixtureDir);
        expectError([&] { tok.decode({5, 99999}); }, {"99999", "vocab.json"});
    }

    void shouldNameVocabJson_whenTheFolderIsMissing()
    {
        const fs::path dir = fs::path(tmp.path().toStdString()) / "no-such-folder";
        expectError([&] { ClipTokenizer::fromFolder(dir); },
                    {QString::fromStdString((dir / "vocab.json").string())});
    }

    void shouldNameMergesTxt_whenItIsMissing()
    {
        const fs::path dir = folderWith("no-merges", "merges.txt", "");
        fs::remove(dir / "merges.txt");
        expectError([&] { ClipTokenizer::fromFolder(dir); }, {"merges.txt"});
    }

    void shouldNameTheLine_whenAMergeIsMalformed()
    {
        for (const std::string bad : {"a b c", "ab", " a", "a  b"}) {
            const fs::path dir = folderWith("bad-merges", "merges.txt", "#version: 0.2\nt h\n" + bad + "\n");
            expectError([&] { ClipTokenizer::fromFolder(dir); },
                        {"merges.txt line 3", QString::fromStdString(bad)});
        }
    }

    void shouldNameTheFile_whenVocabIsNotJson()
    {
        const fs::path dir = folderWith("bad-json", "vocab.json", "{\"a\": 1,");
        expectError([&] { ClipTokenizer::fromFolder(dir); }, {"vocab.json", "JSON"});
        const fs::path dir2 = folderWith("bad-id", "vocab.json", "{\"a\": \"one\"}");
        expectError([&] { ClipTokenizer::fromFolder(dir2); }, {"vocab.json", "\"a\""});
    }

    void shouldNameTheSpecialToken_whenVocabLacksIt()
    {
        std::ifstream in(kFixtureDir / "vocab.json");
        auto vocab = nlohmann::json::parse(in);
        vocab.erase("<|endoftext|>");
        const fs::path dir = folderWith("no-eot", "vocab.json", vocab.dump());
        expectError([&] { ClipTokenizer::fromFolder(dir); }, {"vocab.json", "<|endoftext|>"});
        vocab = nlohmann::json::parse(std::ifstream(kFixtureDir / "vocab.json"));
        vocab.erase("<|startoftext|>");
        const fs::path dir2 = folderWith("no-sot", "vocab.json", vocab.dump());
        expectError([&] { ClipTokenizer::fromFolder(dir2); }, {"vocab.json", "<|startoftext|>"});
    }

    void shouldNameTheToken_whenVocabLacksABpeResult()
    {
        std::ifstream in(kFixtureDir / "vocab.json");
        auto vocab = nlohmann::json::parse(in);
        vocab.erase("face</w>");
        const fs::path dir = folderWith("no-face", "vocab.json", vocab.dump());
        const auto tok = ClipTokenizer::fromFolder(dir);
        expectError([&] { tok.encode("a happy face"); }, {"vocab.json", "face</w>"});
    }
};

QTEST_GUILESS_MAIN(TestClipTokenizer)
#include "tst_clip_tokenizer.moc"
