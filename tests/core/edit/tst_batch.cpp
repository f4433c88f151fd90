// The batch manifest, sharding, settings hash and item state (core/edit/batch.*) and the
// report merge (core/edit/batch_report.*), without models.
#include "core/edit/batch.h"
#include "core/edit/batch_report.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

pae::ModelInfo someModels()
{
    pae::ModelInfo info;
    info.clipDescription = "clip A";
    info.generatorDescription = "generator A";
    info.clipHash = "00000000000000c1";
    info.generatorHash = "00000000000000a1";
    info.builtin = true;
    info.numLatents = 10;
    info.corpusRoot = PAE_SOURCE_DIR "/prompts/synthface";
    return info;
}

class TestBatch : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    fs::path dir() const { return fs::path(m_tmp.path().toStdString()); }

    fs::path manifest(const std::string& name, const std::string& text) const
    {
        const fs::path p = dir() / name;
        writeText(p, text);
        return p;
    }

    // The one item of a one-line manifest.
    pae::BatchItem item(const std::string& line) const
    {
        const auto m = pae::readBatchManifest(manifest("one.jsonl", line + "\n"));
        if (m.items.size() != 1)
            qFatal("expected one item");
        return m.items[0];
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        writeText(dir() / "face.safetensors", "not really a latent, but a file with bytes");
    }

    void shouldCoverEveryLineExactlyOnce_data()
    {
        QTest::addColumn<int>("shards");
        for (int n = 1; n <= 5; ++n)
            QTest::newRow(qPrintable(QString("N=%1").arg(n))) << n;
    }

    void shouldCoverEveryLineExactlyOnce()
    {
        QFETCH(int, shards);
        // 23 lines, two of them blank (no items, but they keep their line number).
        std::string text;
        std::set<size_t> lines;
        for (int i = 0; i < 23; ++i) {
            if (i == 4 || i == 17) {
                text += "   \n";
                continue;
            }
            text += "{\"seed\": " + std::to_string(i) + ", \"prompt\": \"a happy face\"}\n";
            lines.insert(size_t(i));
        }
        const auto m = pae::readBatchManifest(manifest("shards.jsonl", text));
        QCOMPARE(m.items.size(), size_t(21));
        std::map<size_t, int> seen;
        for (int s = 0; s < shards; ++s) {
            const pae::BatchShard shard = pae::parseShard(std::to_string(s) + "/" + std::to_string(shards));
            for (const auto& it : m.items)
                if (shard.contains(it.index)) {
                    ++seen[it.index];
                    QCOMPARE(int(it.index % size_t(shards)), s);
                }
        }
        QCOMPARE(seen.size(), lines.size());
        for (const auto& [line, count] : seen) {
            QVERIFY(lines.count(line));
            QCOMPARE(count, 1);
        }
    }

    void shouldRefuseABadShard_data()
    {
        QTest::addColumn<QString>("text");
        for (const char* t : {"3/3", "1/0", "-1/2", "a/b", "1", "/2", "2/", "0/ 2", "99999999999/1"})
            QTest::newRow(t) << QString(t);
    }

    void shouldRefuseABadShard()
    {
        QFETCH(QString, text);
        try {
            pae::parseShard(text.toStdString());
            QFAIL("accepted");
        } catch (const pae::UsageError& e) {
            QVERIFY2(QString(e.what()).contains("--shard") && QString(e.what()).contains(text), e.what());
        }
    }

    void shouldParseEveryField()
    {
        const auto it = item(R"({"id": "face-1", "latent": "face.safetensors", "prompt": "curly hair", )"
                             R"("corpus": "hairstyle", "target": "pae", "basis": "gram-schmidt", "pca_k": 4, )"
                             R"("lambdas": [2, 5.5], "steps": 7, "lr": 0.05, "l2": 0.2, "id_weight": 0.01, )"
                             R"("resolution": "full", "optimizer_seed": 9})");
        QVERIFY2(it.ok(), it.error.c_str());
        QCOMPARE(it.id, std::string("face-1"));
        QVERIFY(it.sourceKind == pae::FaceSourceKind::Latent);
        QCOMPARE(it.latentFile, dir() / "face.safetensors"); // relative to the manifest
        const pae::EditRequest r = pae::batchRequest(it, someModels());
        QCOMPARE(r.prompt, std::string("curly hair"));
        QCOMPARE(r.corpus, std::string("hairstyle"));
        QVERIFY(r.target == pae::TargetKind::Pae);
        QVERIFY(r.basis == pae::BasisKind::GramSchmidt);
        QCOMPARE(r.pcaComponents, 4);
        QCOMPARE(r.lambdas, (std::vector<float>{2.f, 5.5f}));
        QCOMPARE(r.steps, 7);
        QCOMPARE(r.learningRate, 0.05f);
        QCOMPARE(r.l2Weight, 0.2f);
        QCOMPARE(r.idWeight, 0.01f);
        QVERIFY(r.resolution == pae::ResolutionMode::Full);
        QCOMPARE(r.seed, uint64_t(9));
    }

    void shouldUseTheModelsDefaults_whenFieldsAreLeftOut()
    {
        const auto it = item(R"({"seed": 3, "prompt": "a happy face"})");
        QVERIFY2(it.ok(), it.error.c_str());
        pae::ModelInfo real = someModels();
        real.builtin = false;
        QCOMPARE(pae::batchRequest(it, someModels()).l2Weight, pae::EditRequest::defaults(someModels()).l2Weight);
        QCOMPARE(pae::batchRequest(it, real).l2Weight, pae::EditRequest::defaults().l2Weight);
        QCOMPARE(pae::batchRequest(it, someModels()).idWeight, 0.f); // the built-in world's: no identity term
        QCOMPARE(pae::batchRequest(it, real).idWeight, pae::EditRequest::defaults().idWeight);
        QCOMPARE(pae::batchRequest(it, real).lambdas, pae::EditRequest::defaults().lambdas);
        QCOMPARE(pae::batchRequest(it, someModels()).lambdas, (std::vector<float>{2.f})); // the built-in world's λ
        QCOMPARE(pae::batchSettings(it, someModels()).at("lambdas"), nlohmann::json({2.f}));
        QCOMPARE(pae::batchRequest(it, real).steps, pae::EditRequest::defaults().steps);
        // The default id is a hash of the line: the same line, the same folder, run after run.
        QCOMPARE(it.id, item(R"({"seed": 3, "prompt": "a happy face"})").id);
        QVERIFY(it.id != item(R"({"seed": 4, "prompt": "a happy face"})").id);
        QCOMPARE(it.id.size(), size_t(16));
    }

    // A manifest line names no rows: the corpus's header gives them, as in the studio, and
    // they are part of the settings that say whether a finished item is still current.
    void shouldTakeRowsFromTheCorpusHeader()
    {
        const fs::path corpus = dir() / "hair-rows.txt";
        std::ofstream(corpus)
            << "# template: a person with {}\n# layers: 0-3\n# space: w\n# l2: 0.05\n# target: pae+corpus\n"
               "long hair\n";
        const auto it = item(R"({"seed": 3, "prompt": "long hair", "corpus": ")" + corpus.string() + R"("})");
        QVERIFY2(it.ok(), it.error.c_str());
        const pae::EditRequest r = pae::batchRequest(it, someModels());
        QCOMPARE(r.layers, (std::vector<int>{0, 1, 2, 3}));
        QVERIFY(r.sharedOffset);
        QCOMPARE(r.l2Weight, 0.05f);
        QVERIFY(r.target == pae::TargetKind::PaePlusCorpus);
        const nlohmann::json settings = pae::batchSettings(it, someModels());
        QCOMPARE(settings.at("target"), nlohmann::json("pae+corpus"));
        QCOMPARE(settings.at("layers"), nlohmann::json({0, 1, 2, 3}));
        QCOMPARE(settings.at("space"), nlohmann::json("w"));
        // The line's own l2 wins over the header's.
        const auto own =
            item(R"({"seed": 3, "prompt": "long hair", "l2": 0.3, "corpus": ")" + corpus.string() + R"("})");
        QCOMPARE(pae::batchRequest(own, someModels()).l2Weight, 0.3f);
        // So does its target.
        const auto ownTarget =
            item(R"({"seed": 3, "prompt": "long hair", "target": "text", "corpus": ")" + corpus.string() + R"("})");
        QVERIFY(pae::batchRequest(ownTarget, someModels()).target == pae::TargetKind::Text);
        // Without header settings the settings are as before (earlier batches stay current).
        const auto plain = item(R"({"seed": 3, "prompt": "a person with blonde hair", "corpus": "hair-colour"})");
        QVERIFY(!pae::batchSettings(plain, someModels()).contains("layers"));
        QVERIFY(!pae::batchSettings(plain, someModels()).contains("space"));
        QCOMPARE(pae::batchSettings(plain, someModels()).at("target"), nlohmann::json("pae+"));
    }

    void shouldMakeAnErrorRecord_forABadLine_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("not json") << "{\"seed\": 1, \"prompt\": "
                                  << "(line)"
                                  << "not JSON";
        QTest::newRow("not an object") << "[1, 2]"
                                       << "(line)"
                                       << "object";
        // Found by fuzz_manifest: a number beyond a double stopped the whole batch.
        QTest::newRow("number overflow") << R"({"seed": 1, "prompt": "x", "steps": 1E999})"
                                         << "(line)"
                                         << "number overflow";
        QTest::newRow("unknown field") << R"({"seed": 1, "prompt": "x", "lamdas": [2]})"
                                       << "lamdas"
                                       << "unknown";
        // Found by fuzz_manifest: an empty field name made the record read "line 2: : unknown field".
        QTest::newRow("empty field name") << R"({"seed": 1, "prompt": "x", "": 6})"
                                          << "\"\""
                                          << "unknown";
        QTest::newRow("no source") << R"({"prompt": "x"})"
                                   << "seed/latent/photo"
                                   << "no face source";
        QTest::newRow("two sources") << R"({"seed": 1, "latent": "face.safetensors", "prompt": "x"})"
                                     << "seed/latent/photo"
                                     << "only one";
        QTest::newRow("missing latent") << R"({"latent": "nowhere.safetensors", "prompt": "x"})"
                                        << "latent"
                                        << "nowhere.safetensors: no such file";
        QTest::newRow("missing photo") << R"({"photo": "/no/such/photo.png", "prompt": "x"})"
                                       << "photo"
                                       << "/no/such/photo.png";
        QTest::newRow("negative seed") << R"({"seed": -1, "prompt": "x"})"
                                       << "seed"
                                       << "≥ 0";
        QTest::newRow("no prompt") << R"({"seed": 1})"
                                   << "prompt"
                                   << "missing";
        QTest::newRow("empty prompt") << R"({"seed": 1, "prompt": "  "})"
                                      << "prompt"
                                      << "empty";
        QTest::newRow("lambda text") << R"({"seed": 1, "prompt": "x", "lambdas": [2, "x"]})"
                                     << "lambdas"
                                     << "entry 1";
        QTest::newRow("lambda range") << R"({"seed": 1, "prompt": "x", "lambdas": [2000]})"
                                      << "lambdas"
                                      << "outside";
        QTest::newRow("steps float") << R"({"seed": 1, "prompt": "x", "steps": 5.5})"
                                     << "steps"
                                     << "integer";
        QTest::newRow("steps zero") << R"({"seed": 1, "prompt": "x", "steps": 0})"
                                    << "steps"
                                    << "outside";
        QTest::newRow("bad target") << R"({"seed": 1, "prompt": "x", "target": "best"})"
                                    << "target"
                                    << "best";
        QTest::newRow("negative id weight") << R"({"seed": 1, "prompt": "x", "id_weight": -1})"
                                            << "id_weight"
                                            << "≥ 0";
        QTest::newRow("negative l2") << R"({"seed": 1, "prompt": "x", "l2": -0.5})"
                                     << "l2"
                                     << "≥ 0";
        QTest::newRow("preset") << R"({"seed": 1, "prompt": "x", "preset": "smile"})"
                                << "preset"
                                << "not supported";
        QTest::newRow("bad id") << R"({"id": "../escape", "seed": 1, "prompt": "x"})"
                                << "id"
                                << "folder name";
        QTest::newRow("truncation on latent") << R"({"latent": "face.safetensors", "truncation": 0.5, "prompt": "x"})"
                                              << "truncation"
                                              << "seed";
        QTest::newRow("face without photo") << R"({"seed": 1, "face": 1, "prompt": "x"})"
                                            << "face"
                                            << "photo";
    }

    void shouldMakeAnErrorRecord_forABadLine()
    {
        QFETCH(QString, line);
        QFETCH(QString, field);
        QFETCH(QString, mentions);
        const fs::path m = manifest("bad.jsonl", "{\"seed\": 1, \"prompt\": \"fine\"}\n" + line.toStdString() + "\n");
        const auto parsed = pae::readBatchManifest(m);
        QCOMPARE(parsed.items.size(), size_t(2));
        QVERIFY(parsed.items[0].ok());
        const auto& bad = parsed.items[1];
        QVERIFY(!bad.ok());
        QCOMPARE(QString::fromStdString(bad.errorField), field);
        const QString error = QString::fromStdString(bad.error);
        QVERIFY2(error.startsWith(QString::fromStdString(m.string()) + " line 2: " + field + ": "), qPrintable(error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
        QCOMPARE(bad.index, size_t(1));
    }

    void shouldGiveEveryLaterDuplicateIdItsOwnErrorFolder()
    {
        const auto m =
            pae::readBatchManifest(manifest("dup.jsonl", "{\"seed\": 1, \"prompt\": \"x\"}\n"
                                                         "{\"id\": \"a\", \"seed\": 2, \"prompt\": \"x\"}\n"
                                                         "{\"seed\": 1, \"prompt\": \"x\"}\n"
                                                         "{\"id\": \"a\", \"seed\": 3, \"prompt\": \"x\"}\n"));
        QCOMPARE(m.items.size(), size_t(4));
        QVERIFY(m.items[0].ok() && m.items[1].ok());
        QVERIFY(!m.items[2].ok() && !m.items[3].ok());
        QCOMPARE(m.items[2].id, m.items[0].id + "-line3");
        QCOMPARE(m.items[3].id, std::string("a-line4"));
        QVERIFY(QString::fromStdString(m.items[3].error).contains("used by line 2"));
    }

    void shouldChangeTheSettingsHash_whenAnythingThatShapesTheOutputChanges()
    {
        const auto base = item(R"({"latent": "face.safetensors", "prompt": "x", "steps": 5})");
        const std::string h = pae::batchSettingsHash(pae::batchSettings(base, someModels()));
        QCOMPARE(pae::batchSettingsHash(pae::batchSettings(base, someModels())), h);
        QVERIFY(pae::batchSettingsHash(pae::batchSettings(
                    item(R"({"latent": "face.safetensors", "prompt": "x", "steps": 6})"), someModels())) != h);
        QVERIFY(pae::batchSettingsHash(pae::batchSettings(
                    item(R"({"latent": "face.safetensors", "prompt": "x", "steps": 5, "lambdas": 8.0001})"),
                    someModels())) != h);
        pae::ModelInfo other = someModels();
        other.generatorDescription = "generator B";
        QVERIFY(pae::batchSettingsHash(pae::batchSettings(base, other)) != h);
        // The latent file's content, not only its name.
        writeText(dir() / "face.safetensors", "other bytes");
        QVERIFY(pae::batchSettingsHash(pae::batchSettings(base, someModels())) != h);
        writeText(dir() / "face.safetensors", "not really a latent, but a file with bytes");
        QCOMPARE(pae::batchSettingsHash(pae::batchSettings(base, someModels())), h);
    }

    void shouldCallAnItemComplete_onlyWithEveryRecordedFileAndTheSameHash()
    {
        const fs::path d = dir() / "complete";
        fs::create_directories(d);
        const nlohmann::json weights = pae::batchWeights(someModels());
        QVERIFY(!pae::batchItemComplete(d, "h1", weights));
        writeText(d / "image-0.png", "12345");
        writeText(d / "latent-0.safetensors", "123");
        const nlohmann::json files = {{{"name", "image-0.png"}, {"bytes", 5}},
                                      {{"name", "latent-0.safetensors"}, {"bytes", 3}}};
        pae::writeJsonAtomically(d / "metrics.json",
                                 {{"batch", {{"settings_hash", "h1"}, {"weights", weights}, {"files", files}}}});
        QVERIFY(pae::batchItemComplete(d, "h1", weights));
        QVERIFY(!pae::batchItemComplete(d, "h2", weights));
        // The same models retrained: same description and settings hash, other weights.
        pae::ModelInfo retrained = someModels();
        retrained.generatorHash = "feedfacefeedface";
        QVERIFY(!pae::batchItemComplete(d, "h1", pae::batchWeights(retrained)));
        retrained = someModels();
        retrained.clipHash = "feedfacefeedface";
        QVERIFY(!pae::batchItemComplete(d, "h1", pae::batchWeights(retrained)));
        // Items of batches run before the weights were recorded still count as finished.
        pae::writeJsonAtomically(d / "metrics.json", {{"batch", {{"settings_hash", "h1"}, {"files", files}}}});
        QVERIFY(pae::batchItemComplete(d, "h1", pae::batchWeights(retrained)));
        writeText(d / "latent-0.safetensors", "12");
        QVERIFY(!pae::batchItemComplete(d, "h1", weights));
        writeText(d / "latent-0.safetensors", "123");
        fs::remove(d / "image-0.png");
        QVERIFY(!pae::batchItemComplete(d, "h1", weights));
        writeText(d / "metrics.json", "{\"batch\": ");
        QVERIFY(!pae::batchItemComplete(d, "h1", weights));
    }

    void shouldClearOnlyWhatBatchWrites()
    {
        const fs::path d = dir() / "clear";
        fs::create_directories(d);
        for (const char* name : {"image-0.png", "latent-3.safetensors", "metrics.json", "error.json",
                                 ".image-1.png.tmp-123-456", ".latent-0.safetensors.tmp-9", "notes.txt"})
            writeText(d / name, "x");
        pae::clearBatchItemDir(d);
        std::set<std::string> left;
        for (const auto& e : fs::directory_iterator(d))
            left.insert(e.path().filename().string());
        QCOMPARE(left, (std::set<std::string>{"notes.txt"}));
    }

    void shouldLockAnItemForOneHolderAtATime()
    {
        const fs::path d = dir() / "locked";
        {
            pae::BatchItemLock first(d);
            QVERIFY(first.acquired());
            pae::BatchItemLock second(d);
            QVERIFY(!second.acquired());
        }
        pae::BatchItemLock again(d);
        QVERIFY(again.acquired());
    }

    void shouldCountTheReport()
    {
        const fs::path out = dir() / "report";
        fs::create_directories(out / "a");
        fs::create_directories(out / "b");
        fs::create_directories(out / "c");
        pae::writeJsonAtomically(
            out / "a" / "metrics.json",
            {{"seconds", 2.0},
             {"per_lambda",
              {{{"lambda", 2}, {"clip_cosine_to_target", 0.5}, {"identity_similarity", 1.0}},
               {{"lambda", 8}, {"clip_cosine_to_target", 0.7}, {"identity_similarity", 0.8}}}},
             {"batch", {{"line", 1}, {"started_at", 100.0}, {"finished_at", 103.0}, {"item_seconds", 3.0}}}});
        pae::writeJsonAtomically(
            out / "b" / "metrics.json",
            {{"seconds", 4.0},
             {"per_lambda", {{{"lambda", 8}, {"clip_cosine_to_target", 0.9}}}}, // no identity model
             {"batch", {{"line", 3}, {"started_at", 103.0}, {"finished_at", 106.0}, {"item_seconds", 3.0}}}});
        pae::writeJsonAtomically(out / "c" / "error.json",
                                 {{"line", 2}, {"field", "lambdas"}, {"error", "m.jsonl line 2: lambdas: bad"}});
        fs::create_directories(out / "d"); // killed before it wrote anything
        const pae::BatchReport r = pae::collectBatchReport(out);
        QCOMPARE(r.results.size(), size_t(4));
        QCOMPARE(r.summary["done"].get<int>(), 2);
        QCOMPARE(r.summary["failed"].get<int>(), 1);
        QCOMPARE(r.summary["incomplete"].get<int>(), 1);
        QCOMPARE(r.summary["edits"].get<int>(), 3);
        QVERIFY(qFuzzyCompare(r.summary["mean_clip_cosine_to_target"].get<double>(), 0.7));
        QVERIFY(qFuzzyCompare(r.summary["mean_identity_similarity"].get<double>(), 0.9));
        QVERIFY(qFuzzyCompare(r.summary["edit_seconds_total"].get<double>(), 6.0));
        QVERIFY(qFuzzyCompare(r.summary["wall_seconds"].get<double>(), 6.0));
        QVERIFY(qFuzzyCompare(r.summary["items_per_minute"].get<double>(), 20.0));
        QCOMPARE(r.summary["failures"].size(), size_t(1));
        QCOMPARE(r.summary["failures"][0]["field"].get<std::string>(), std::string("lambdas"));
        // Ordered by line; the folder without a line last.
        QCOMPARE(r.results[0]["id"].get<std::string>(), std::string("a"));
        QCOMPARE(r.results[1]["id"].get<std::string>(), std::string("c"));
        QCOMPARE(r.results[2]["id"].get<std::string>(), std::string("b"));
        QCOMPARE(r.results[3]["id"].get<std::string>(), std::string("d"));
        QCOMPARE(r.results[3]["status"].get<std::string>(), std::string("incomplete"));
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestBatch)
#include "tst_batch.moc"
