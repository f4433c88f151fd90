#include "core/io/safetensors.h"
#include "core/pae/embedding_cache.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <fstream>

namespace fs = std::filesystem;

namespace {

pae::Corpus makeCorpus(const fs::path& dir, const std::string& name, const std::string& body)
{
    const fs::path f = dir / (name + ".txt");
    std::ofstream(f) << body;
    return pae::loadCorpus(f);
}

// A deterministic stand-in for a text encoder: unnormalized rows that depend on the
// prompt text, and a count of how often it ran.
struct FakeEncoder {
    int calls = 0;
    int64_t dim = 8;
    torch::Tensor operator()(const std::vector<std::string>& prompts)
    {
        ++calls;
        std::vector<torch::Tensor> rows;
        for (const auto& p : prompts) {
            torch::Tensor r = torch::zeros({dim});
            for (size_t k = 0; k < p.size(); ++k)
                r[static_cast<int64_t>(k % static_cast<size_t>(dim))] += static_cast<float>(p[k]) / 100.f;
            rows.push_back(3 * r);
        }
        return torch::stack(rows);
    }
};

pae::EmbedFn fn(FakeEncoder& enc)
{
    return [&enc](const std::vector<std::string>& p) { return enc(p); };
}

} // namespace

class TestEmbeddingCache : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    fs::path root() const { return m_tmp.path().toStdString(); }

private Q_SLOTS:
    void shouldComputeOnceThenReadTheCache()
    {
        const fs::path dir = root() / "once";
        const pae::Corpus c = makeCorpus(root(), "emo", "# template: a {} face\nhappy\nsad\nangry\n");
        FakeEncoder enc;
        std::vector<std::string> seen;
        const torch::Tensor first = pae::getOrCompute("clipA", c, [&](const std::vector<std::string>& p) {
            seen = p;
            return enc(p);
        }, dir);
        QCOMPARE(enc.calls, 1);
        QCOMPARE(seen, (std::vector<std::string>{"a happy face", "a sad face", "a angry face"}));
        QCOMPARE(first.sizes().vec(), std::vector<int64_t>({3, 8}));
        QVERIFY(first.dtype() == torch::kFloat32);
        QVERIFY(((first.norm(2, 1) - 1).abs() < 1e-6).all().item<bool>());
        const fs::path file = pae::embeddingCacheFile("clipA", c.contentHash, dir);
        QVERIFY(fs::exists(file));

        const torch::Tensor second = pae::getOrCompute("clipA", c, fn(enc), dir);
        QCOMPARE(enc.calls, 1);
        QVERIFY(torch::equal(first, second));

        pae::io::SafetensorsFile st(file);
        QCOMPARE(st.metadata().at("model_hash"), std::string("clipA"));
        QCOMPARE(st.metadata().at("content_hash"), c.contentHash);
        QCOMPARE(st.metadata().at("count"), std::string("3"));
        QCOMPARE(st.metadata().at("dim"), std::string("8"));
    }

    void shouldUseDistinctFiles_whenContentOrModelDiffers()
    {
        const fs::path dir = root() / "distinct";
        const pae::Corpus a = makeCorpus(root(), "a", "happy\nsad\n");
        const pae::Corpus b = makeCorpus(root(), "b", "happy\nsad\nangry\n");
        QVERIFY(a.contentHash != b.contentHash);
        QVERIFY(pae::embeddingCacheFile("m", a.contentHash, dir) != pae::embeddingCacheFile("m", b.contentHash, dir));
        QVERIFY(pae::embeddingCacheFile("m1", a.contentHash, dir) != pae::embeddingCacheFile("m2", a.contentHash, dir));
        FakeEncoder enc;
        pae::getOrCompute("m", a, fn(enc), dir);
        pae::getOrCompute("m", b, fn(enc), dir);
        pae::getOrCompute("m2", a, fn(enc), dir);
        QCOMPARE(enc.calls, 3);
        QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), std::ptrdiff_t(3));
        // A model hash that is not a plain file name cannot escape the folder.
        QCOMPARE(pae::embeddingCacheFile("../../etc/x", a.contentHash, dir).parent_path(), dir);
    }

    void shouldRebuild_whenTheFileIsCorrupt_data()
    {
        QTest::addColumn<int>("damage");
        QTest::newRow("garbage") << 0;
        QTest::newRow("truncated") << 1;
        QTest::newRow("wrong count in metadata") << 2;
        QTest::newRow("wrong shape") << 3;
        QTest::newRow("wrong model hash inside") << 4;
        QTest::newRow("not normalized") << 5;
    }
    void shouldRebuild_whenTheFileIsCorrupt()
    {
        QFETCH(int, damage);
        const fs::path dir = root() / ("corrupt" + std::to_string(damage));
        const pae::Corpus c = makeCorpus(root(), "c", "happy\nsad\nangry\n");
        FakeEncoder enc;
        const torch::Tensor good = pae::getOrCompute("clipA", c, fn(enc), dir);
        const fs::path file = pae::embeddingCacheFile("clipA", c.contentHash, dir);
        std::map<std::string, std::string> meta = {{"format", "pae-corpus-embeddings/1"},
                                                   {"model_hash", "clipA"},
                                                   {"content_hash", c.contentHash},
                                                   {"count", "3"},
                                                   {"dim", "8"}};
        switch (damage) {
        case 0: std::ofstream(file, std::ios::binary | std::ios::trunc) << "this is not a safetensors file"; break;
        case 1: fs::resize_file(file, fs::file_size(file) - 20); break;
        case 2:
            meta["count"] = "4";
            pae::io::saveSafetensors(file, {{"embeddings", good}}, meta);
            break;
        case 3: pae::io::saveSafetensors(file, {{"embeddings", good.slice(0, 0, 2)}}, meta); break;
        case 4:
            meta["model_hash"] = "clipB";
            pae::io::saveSafetensors(file, {{"embeddings", good}}, meta);
            break;
        case 5: pae::io::saveSafetensors(file, {{"embeddings", 2 * good}}, meta); break;
        }
        const torch::Tensor again = pae::getOrCompute("clipA", c, fn(enc), dir);
        QCOMPARE(enc.calls, 2);
        QVERIFY(torch::allclose(again, good));
        // The rebuilt file is valid: the next call reads it.
        pae::getOrCompute("clipA", c, fn(enc), dir);
        QCOMPARE(enc.calls, 2);
    }

    void shouldUseTheUserCacheFolder_byDefault()
    {
        QTemporaryDir xdg;
        const QByteArray old = qgetenv("XDG_CACHE_HOME");
        qputenv("XDG_CACHE_HOME", xdg.path().toUtf8());
        const pae::Corpus c = makeCorpus(root(), "d", "happy\n");
        FakeEncoder enc;
        pae::getOrCompute("clipA", c, fn(enc), {});
        const fs::path expected =
            fs::path(xdg.path().toStdString()) / "pae-studio" / "corpora" / ("clipA-" + c.contentHash + ".safetensors");
        QVERIFY2(fs::exists(expected), expected.c_str());
        QCOMPARE(pae::embeddingCacheFile("clipA", c.contentHash), expected);
        qputenv("XDG_CACHE_HOME", old);
    }

    void shouldStillReturnEmbeddings_whenTheCacheCannotBeWritten()
    {
        const fs::path blocker = root() / "blocker";
        std::ofstream(blocker) << "a file where the cache folder should be";
        const pae::Corpus c = makeCorpus(root(), "e", "happy\nsad\n");
        FakeEncoder enc;
        const torch::Tensor e = pae::getOrCompute("clipA", c, fn(enc), blocker / "corpora");
        QCOMPARE(e.size(0), int64_t(2));
    }

    void shouldRefuse_whenTheEncoderMisbehaves()
    {
        const pae::Corpus c = makeCorpus(root(), "f", "happy\nsad\n");
        const fs::path dir = root() / "bad-encoder";
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::getOrCompute("m", c, [](const auto&) { return torch::ones({3, 4}); }, dir));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::getOrCompute("m", c, [](const auto&) { return torch::ones({2}); }, dir));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::getOrCompute("m", c, [](const auto&) { return torch::zeros({2, 4}); }, dir));
        QVERIFY_THROWS_EXCEPTION(pae::Error,
                                 pae::getOrCompute("m", c, [](const auto&) { return torch::full({2, 4}, NAN); }, dir));
        QVERIFY(!fs::exists(dir) || fs::is_empty(dir));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingCache)
#include "tst_embedding_cache.moc"
