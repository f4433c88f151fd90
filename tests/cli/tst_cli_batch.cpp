// pae-cli batch and batch-report end to end on the built-in SynthFace models: shards,
// error records, skipping finished items, and a batch killed mid-item then re-run.
#include "TestSupport.h"
#include "core/edit/batch.h"
#include "core/edit/model_set.h"
#include "core/face/alignment.h"
#include "core/io/safetensors.h"
#include "core/util/paths.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest/QtTest>

#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Result {
    int exitCode;
    std::vector<json> events; // --json lines on stdout
    QString stdErr;
};

std::string readBytes(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// Every line of stdout that starts with '{' must be one JSON object (other commands' text
// lines are left out).
std::vector<json> parseEvents(const QByteArray& out)
{
    std::vector<json> events;
    for (const QByteArray& line : out.split('\n'))
        if (line.startsWith('{'))
            events.push_back(json::parse(line.toStdString()));
    return events;
}

// Every file under dir (relative name → bytes).
std::map<std::string, std::string> snapshot(const fs::path& dir)
{
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file())
            files[fs::relative(e.path(), dir).string()] = readBytes(e.path());
    return files;
}

std::map<std::string, std::string> statusById(const std::vector<json>& events)
{
    std::map<std::string, std::string> s;
    for (const auto& e : events)
        if (e["event"] == "item")
            s[e["id"].get<std::string>()] = e["status"].get<std::string>();
    return s;
}

class TestCliBatch : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    fs::path dir() const { return fs::path(m_tmp.path().toStdString()); }

    static QStringList common() { return {"--device", "cpu", "--threads", "1", "--json"}; }

    static QProcess* start(QProcess& p, const QStringList& args)
    {
        p.start(QStringLiteral(PAE_CLI_PATH), args);
        return &p;
    }

    Result run(const QStringList& args)
    {
        const pae::test::CliResult r = pae::test::runCli(args, pae::test::CliOptions::timeout(280000));
        return {r.exitCode, parseEvents(r.out.toUtf8()), r.err};
    }

    Result batch(const fs::path& manifest, const fs::path& out, const QString& shard = "0/1")
    {
        return run(QStringList{"batch", QString::fromStdString(manifest.string()), "--out",
                               QString::fromStdString(out.string()), "--shard", shard} +
                   common());
    }

    // Starts a batch, waits for its first finished item and for the folder of the next
    // one (nextId: created when that item starts), then sends sig: the next item is then
    // mid-run. Returns the events.
    std::vector<json> interruptAfterFirstItem(const fs::path& manifest, const fs::path& out, const std::string& nextId,
                                              int sig, int* exitCode)
    {
        QProcess p;
        start(p, QStringList{"batch", QString::fromStdString(manifest.string()), "--out",
                             QString::fromStdString(out.string())} +
                     common());
        std::vector<json> events;
        bool signalled = false;
        while (!signalled && p.state() != QProcess::NotRunning) {
            p.waitForReadyRead(1000);
            while (p.canReadLine()) {
                events.push_back(json::parse(p.readLine().trimmed().toStdString()));
                if (events.back()["event"] == "item" && events.back()["status"] == "done") {
                    QElapsedTimer waited;
                    waited.start();
                    while (!fs::exists(out / nextId) && waited.elapsed() < 30000)
                        QThread::msleep(2);
                    ::kill(pid_t(p.processId()), sig);
                    signalled = true;
                    break;
                }
            }
        }
        p.waitForFinished(60000);
        for (const auto& e : parseEvents(p.readAllStandardOutput()))
            events.push_back(e);
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -sig;
        return events;
    }

    fs::path m_latent;
    fs::path m_photo;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // A latent file and a "photo" (a face the built-in generator drew) as face sources.
        const auto models = pae::ModelSet::load(pae::ModelPaths{});
        m_latent = dir() / "source.safetensors";
        models->saveLatent(models->latentFromSeed(21), m_latent);
        const Result r = run({"synthface", "render", "--seed", "4", "--count", "1", "--size", "64", "--out",
                              QString::fromStdString((dir() / "photo.png").string())});
        QVERIFY2(r.exitCode == 0, qPrintable(r.stdErr));
        m_photo = dir() / "photo.png";
    }

    void shouldRunEveryItemInExactlyOneShard_andSkipItOnARerun()
    {
        const fs::path m = dir() / "shards.jsonl";
        writeText(m, R"({"seed": 1, "prompt": "a happy face", "corpus": "emotion", "steps": 5}
{"seed": 2, "prompt": "a sad face", "steps": 5, "lambdas": [2, 8]}

{"id": "from-latent", "latent": "source.safetensors", "prompt": "blonde hair", "corpus": "hair-colour", "steps": 5}
{"photo": "photo.png", "invert_steps": 5, "prompt": "a happy face", "steps": 5}
{"seed": 3, "prompt": "curly hair", "corpus": "hairstyle", "target": "pae", "steps": 5, "l2": 0.2}
{"seed": 4, "prompt": "a surprised face", "target": "text", "steps": 5, "id_weight": 0.01}
)");
        const fs::path out = dir() / "shards-out";
        std::map<std::string, int> doneCount;
        std::map<std::string, int> lineOf;
        for (int s = 0; s < 3; ++s) {
            const Result r = batch(m, out, QString("%1/3").arg(s));
            QVERIFY2(r.exitCode == 0, qPrintable(r.stdErr));
            QCOMPARE(r.events.front()["event"].get<std::string>(), std::string("start"));
            QCOMPARE(r.events.back()["event"].get<std::string>(), std::string("end"));
            for (const auto& e : r.events)
                if (e["event"] == "item") {
                    QCOMPARE(e["status"].get<std::string>(), std::string("done"));
                    const int line = e["line"].get<int>();
                    QCOMPARE((line - 1) % 3, s);
                    ++doneCount[e["id"].get<std::string>()];
                    lineOf[e["id"].get<std::string>()] = line;
                    QVERIFY(e.contains("items_per_min") && e.contains("eta_s") && e.contains("rss_mb"));
                }
        }
        QCOMPARE(doneCount.size(), size_t(6));
        for (const auto& [id, n] : doneCount)
            QCOMPARE(n, 1);
        QCOMPARE(lineOf.at("from-latent"), 4);
        std::set<int> lineNumbers;
        for (const auto& entry : lineOf)
            lineNumbers.insert(entry.second);
        QCOMPARE(lineNumbers, (std::set<int>{1, 2, 4, 5, 6, 7})); // line 3 is blank

        for (const auto& [id, line] : lineOf) {
            const fs::path item = out / id;
            std::ifstream in(item / "metrics.json");
            const json metrics = json::parse(in);
            const size_t lambdas = line == 2 ? 2 : 1;
            QCOMPARE(metrics["per_lambda"].size(), lambdas);
            for (size_t k = 0; k < lambdas; ++k) {
                const QImage image(QString::fromStdString((item / ("image-" + std::to_string(k) + ".png")).string()));
                QCOMPARE(image.size(), QSize(64, 64));
                QVERIFY(fs::file_size(item / ("latent-" + std::to_string(k) + ".safetensors")) > 100);
            }
            QCOMPARE(metrics["batch"]["line"].get<int>(), line);
            QCOMPARE(metrics["steps_run"].get<int>(), 5);
        }

        // Everything finished: a re-run of a shard skips its items and rewrites nothing.
        const auto before = snapshot(out);
        const Result again = batch(m, out, "1/3");
        QVERIFY2(again.exitCode == 0, qPrintable(again.stdErr));
        for (const auto& [id, status] : statusById(again.events))
            QCOMPARE(status, std::string("skipped"));
        QCOMPARE(statusById(again.events).size(), size_t(2));
        QVERIFY(snapshot(out) == before);

        const Result report = run({"batch-report", QString::fromStdString(out.string()), "--manifest",
                                   QString::fromStdString(m.string()), "--json"});
        QVERIFY2(report.exitCode == 0, qPrintable(report.stdErr));
        const json& summary = report.events.at(0);
        QCOMPARE(summary["items"].get<int>(), 6);
        QCOMPARE(summary["done"].get<int>(), 6);
        QCOMPARE(summary["failed"].get<int>(), 0);
        QCOMPARE(summary["missing"].get<int>(), 0);
        QCOMPARE(summary["edits"].get<int>(), 7);
        QVERIFY(summary["mean_clip_cosine_to_target"].get<double>() > 0);
        QVERIFY(summary["items_per_minute"].get<double>() > 0);
        std::ifstream results(out / "results.jsonl");
        std::string line;
        int lines = 0;
        while (std::getline(results, line))
            lines += json::parse(line)["status"] == "done" ? 1 : 0;
        QCOMPARE(lines, 6);
    }

    void shouldWriteErrorRecords_forBadLines_andRunTheRest()
    {
        const fs::path m = dir() / "bad.jsonl";
        writeText(m, R"({"id": "good", "seed": 1, "prompt": "a happy face", "steps": 5}
{"id": "broken", "seed": 1, "prompt": 
{"id": "no-file", "latent": "missing.safetensors", "prompt": "a happy face"}
{"id": "preset", "seed": 1, "preset": "smile", "prompt": "a happy face"}
{"id": "no-corpus", "seed": 1, "prompt": "a happy face", "corpus": "no-such-corpus", "steps": 5}
{"id": "bad-latent", "latent": "bad.jsonl", "prompt": "a happy face", "steps": 5}
)");
        const fs::path out = dir() / "bad-out";
        const Result r = batch(m, out);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.stdErr.contains("error: 5 of 6 items"), qPrintable(r.stdErr));
        const auto status = statusById(r.events);
        QCOMPARE(status.at("good"), std::string("done"));
        QVERIFY(fs::exists(out / "good" / "metrics.json"));
        QVERIFY(!fs::exists(out / "good" / "error.json"));
        // The broken line's id cannot be read: its folder is the hash of the line.
        const std::map<std::string, std::pair<int, std::string>> expected{{"no-file", {3, "latent"}},
                                                                          {"preset", {4, "preset"}},
                                                                          {"no-corpus", {5, "corpus"}},
                                                                          {"bad-latent", {6, "latent"}}};
        for (const auto& [id, where] : expected) {
            QCOMPARE(status.at(id), std::string("failed"));
            std::ifstream in(out / id / "error.json");
            QVERIFY2(in.good(), id.c_str());
            const json e = json::parse(in);
            QCOMPARE(e["line"].get<int>(), where.first);
            QCOMPARE(e["field"].get<std::string>(), where.second);
            const std::string error = e["error"];
            QVERIFY2(QString::fromStdString(error).startsWith(QString::fromStdString(m.string()) + " line " +
                                                              QString::number(where.first) + ": "),
                     error.c_str());
            QVERIFY(!fs::exists(out / id / "metrics.json"));
        }
        const QString noCorpus = QString::fromStdString(
            json::parse(readBytes(out / "no-corpus" / "error.json"))["error"].get<std::string>());
        QVERIFY2(noCorpus.contains("line 5: corpus: no corpus named 'no-such-corpus'"), qPrintable(noCorpus));
        QVERIFY(
            QString::fromStdString(json::parse(readBytes(out / "preset" / "error.json"))["error"].get<std::string>())
                .contains("not supported"));
        int brokenRecords = 0;
        for (const auto& e : fs::directory_iterator(out))
            if (fs::exists(e.path() / "error.json") &&
                json::parse(readBytes(e.path() / "error.json"))["field"] == "(line)") {
                ++brokenRecords;
                QCOMPARE(json::parse(readBytes(e.path() / "error.json"))["line"].get<int>(), 2);
            }
        QCOMPARE(brokenRecords, 1);

        const Result report = run({"batch-report", QString::fromStdString(out.string()), "--json"});
        QVERIFY2(report.exitCode == 0, qPrintable(report.stdErr));
        QCOMPARE(report.events.at(0)["done"].get<int>(), 1);
        QCOMPARE(report.events.at(0)["failed"].get<int>(), 5);
        QCOMPARE(report.events.at(0)["failures"].size(), size_t(5));

        // Fix a line: the re-run runs it, skips the good one, and the error record goes.
        writeText(m, R"({"id": "good", "seed": 1, "prompt": "a happy face", "steps": 5}
{"id": "no-corpus", "seed": 1, "prompt": "a happy face", "corpus": "emotion", "steps": 5}
)");
        const Result fixed = batch(m, out);
        QVERIFY2(fixed.exitCode == 0, qPrintable(fixed.stdErr));
        QCOMPARE(statusById(fixed.events).at("good"), std::string("skipped"));
        QCOMPARE(statusById(fixed.events).at("no-corpus"), std::string("done"));
        QVERIFY(!fs::exists(out / "no-corpus" / "error.json"));
    }

    void shouldRedoAnItem_whenItsSettingsChange()
    {
        const fs::path m = dir() / "change.jsonl";
        const fs::path out = dir() / "change-out";
        writeText(m, "{\"id\": \"a\", \"seed\": 1, \"prompt\": \"a happy face\", \"steps\": 5}\n"
                     "{\"id\": \"b\", \"seed\": 2, \"prompt\": \"a happy face\", \"steps\": 5, \"lambdas\": [2, 4]}\n");
        QCOMPARE(batch(m, out).exitCode, 0);
        QVERIFY(fs::exists(out / "b" / "image-1.png"));
        writeText(m, "{\"id\": \"a\", \"seed\": 1, \"prompt\": \"a happy face\", \"steps\": 5}\n"
                     "{\"id\": \"b\", \"seed\": 2, \"prompt\": \"a happy face\", \"steps\": 6}\n");
        const Result r = batch(m, out);
        QVERIFY2(r.exitCode == 0, qPrintable(r.stdErr));
        QCOMPARE(statusById(r.events).at("a"), std::string("skipped"));
        QCOMPARE(statusById(r.events).at("b"), std::string("done"));
        QVERIFY(!fs::exists(out / "b" / "image-1.png")); // the old settings' second λ is gone
        QCOMPARE(json::parse(readBytes(out / "b" / "metrics.json"))["steps_run"].get<int>(), 6);
    }

    // The same generator file retrained (as the built-in models are when they improve):
    // description and settings hash are unchanged, but the outputs were drawn by other
    // weights, so every item runs again; a rerun on the same weights skips them.
    void shouldRedoItems_whenTheGeneratorIsRetrainedInPlace()
    {
        const fs::path m = dir() / "retrained.jsonl";
        const fs::path out = dir() / "retrained-out";
        const fs::path generator = dir() / "generator.safetensors";
        fs::copy_file(pae::builtinModelsDir() / "generator.safetensors", generator,
                      fs::copy_options::overwrite_existing);
        writeText(m, "{\"id\": \"a\", \"seed\": 1, \"prompt\": \"a happy face\", \"steps\": 3}\n");
        const QStringList models{"--clip", QString::fromStdString((pae::builtinModelsDir() / "clip").string()),
                                 "--generator", QString::fromStdString(generator.string())};
        const auto runOn = [&] {
            return run(QStringList{"batch", QString::fromStdString(m.string()), "--out",
                                   QString::fromStdString(out.string())} +
                       models + common());
        };
        Result r = runOn();
        QVERIFY2(r.exitCode == 0, qPrintable(r.stdErr));
        QCOMPARE(statusById(r.events).at("a"), std::string("done"));
        const std::string before = readBytes(out / "a" / "image-0.png");
        QCOMPARE(statusById(runOn().events).at("a"), std::string("skipped"));

        auto tensors = pae::io::loadSafetensors(generator.string());
        tensors["g_ema.to_rgb1.bias"] = tensors.at("g_ema.to_rgb1.bias") + 0.2;
        pae::io::saveSafetensors(generator.string(), tensors, pae::io::SafetensorsFile(generator.string()).metadata());
        r = runOn();
        QVERIFY2(r.exitCode == 0, qPrintable(r.stdErr));
        QCOMPARE(statusById(r.events).at("a"), std::string("done"));
        QVERIFY(readBytes(out / "a" / "image-0.png") != before);
        QCOMPARE(statusById(runOn().events).at("a"), std::string("skipped"));
    }

    void shouldFinishAKilledBatch_withIdenticalOutputsAndNoPartialFiles()
    {
        const fs::path m = dir() / "kill.jsonl";
        std::string text;
        for (int i = 0; i < 4; ++i)
            text += "{\"id\": \"k" + std::to_string(i) + "\", \"seed\": " + std::to_string(30 + i) +
                    ", \"prompt\": \"a happy face\", \"steps\": 40}\n";
        writeText(m, text);

        const fs::path reference = dir() / "kill-reference";
        const Result full = batch(m, reference);
        QVERIFY2(full.exitCode == 0, qPrintable(full.stdErr));

        const fs::path out = dir() / "kill-out";
        int exitCode = 0;
        interruptAfterFirstItem(m, out, "k1", SIGKILL, &exitCode);
        QCOMPARE(exitCode, -SIGKILL);
        std::set<std::string> finished, unfinished;
        for (const auto& e : fs::directory_iterator(out))
            (fs::exists(e.path() / "metrics.json") ? finished : unfinished).insert(e.path().filename().string());
        QVERIFY(!finished.empty());
        QVERIFY2(!unfinished.empty(), "the kill came after the batch had finished: nothing was interrupted");
        // A kill inside an atomic write leaves its temporary file behind: the re-run removes it.
        const fs::path stale = out / *unfinished.begin() / ".image-0.png.tmp-99999-1";
        writeText(stale, "half an image");
        std::map<std::string, std::string> finishedBefore;
        for (const auto& id : finished)
            for (const auto& [name, bytes] : snapshot(out / id))
                finishedBefore[id + "/" + name] = bytes;

        const Result rerun = batch(m, out);
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.stdErr));
        for (const auto& [id, status] : statusById(rerun.events))
            QCOMPARE(status, std::string(finished.count(id) ? "skipped" : "done"));
        // Finished work untouched, byte for byte (metrics.json with its times included).
        for (const auto& [name, bytes] : finishedBefore)
            QVERIFY2(readBytes(out / name) == bytes, name.c_str());
        // Every image and latent as the uninterrupted run wrote it; no temporary files.
        const auto got = snapshot(out);
        const auto want = snapshot(reference);
        int compared = 0;
        for (const auto& [name, bytes] : want) {
            if (name.find("metrics.json") != std::string::npos || name.find(".lock") != std::string::npos)
                continue;
            QVERIFY2(got.count(name) && got.at(name) == bytes, name.c_str());
            ++compared;
        }
        QCOMPARE(compared, 8);
        for (const auto& [name, bytes] : got)
            QVERIFY2(name.find(".tmp") == std::string::npos, name.c_str());
    }

    void shouldStopWithinAnItem_onSigterm_andLeaveItUnfinished()
    {
        const fs::path m = dir() / "term.jsonl";
        writeText(m, "{\"id\": \"t0\", \"seed\": 40, \"prompt\": \"a sad face\", \"steps\": 40}\n"
                     "{\"id\": \"t1\", \"seed\": 41, \"prompt\": \"a sad face\", \"steps\": 40}\n"
                     "{\"id\": \"t2\", \"seed\": 42, \"prompt\": \"a sad face\", \"steps\": 40}\n");
        const fs::path out = dir() / "term-out";
        int exitCode = 0;
        const auto events = interruptAfterFirstItem(m, out, "t1", SIGTERM, &exitCode);
        QCOMPARE(exitCode, 1);
        QCOMPARE(events.back()["event"].get<std::string>(), std::string("interrupted"));
        QVERIFY(fs::exists(out / "t0" / "metrics.json"));
        QVERIFY(!fs::exists(out / "t1" / "metrics.json"));
        QVERIFY(!fs::exists(out / "t1" / "error.json")); // stopped, not failed
        const Result rerun = batch(m, out);
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.stdErr));
        QCOMPARE(statusById(rerun.events).at("t0"), std::string("skipped"));
        QCOMPARE(statusById(rerun.events).at("t1"), std::string("done"));
        QCOMPARE(statusById(rerun.events).at("t2"), std::string("done"));
    }

    void shouldAlignAPhoto_andPickItsFaceByIndex()
    {
        if (!pae::FaceAligner::available())
            QSKIP("this build has no dlib (PAE_WITH_DLIB)");
        const fs::path m = dir() / "photo.jsonl";
        const std::string photo = PAE_TEST_DATA_DIR "/photos/astronaut.jpg";
        writeText(m, "{\"id\": \"p0\", \"photo\": \"" + photo +
                         "\", \"align\": true, \"face\": 0, \"invert_steps\": 5, \"prompt\": \"a happy face\", "
                         "\"steps\": 5}\n"
                         "{\"id\": \"p3\", \"photo\": \"" +
                         photo +
                         "\", \"align\": true, \"face\": 3, \"invert_steps\": 5, \"prompt\": \"a happy face\", "
                         "\"steps\": 5}\n");
        const fs::path out = dir() / "photo-out";
        const Result r = batch(m, out);
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(statusById(r.events).at("p0"), std::string("done"));
        QCOMPARE(QImage(QString::fromStdString((out / "p0" / "image-0.png").string())).size(), QSize(64, 64));
        const json e = json::parse(readBytes(out / "p3" / "error.json"));
        QCOMPARE(e["field"].get<std::string>(), std::string("face"));
        QVERIFY2(QString::fromStdString(e["error"]).contains("face 3 asked for, but only one face was found"),
                 e.dump().c_str());
    }

    void shouldLeaveAnItemAlone_whileAnotherProcessHoldsItsLock()
    {
        const fs::path m = dir() / "busy.jsonl";
        writeText(m, "{\"id\": \"free\", \"seed\": 1, \"prompt\": \"a happy face\", \"steps\": 5}\n"
                     "{\"id\": \"held\", \"seed\": 2, \"prompt\": \"a happy face\", \"steps\": 5}\n");
        const fs::path out = dir() / "busy-out";
        {
            pae::BatchItemLock held(out / "held");
            QVERIFY(held.acquired());
            const Result r = batch(m, out);
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.stdErr.contains("1 items of shard 0/1 were being worked on by another process"),
                     qPrintable(r.stdErr));
            QCOMPARE(statusById(r.events).at("free"), std::string("done"));
            QCOMPARE(statusById(r.events).at("held"), std::string("busy"));
            QVERIFY(!fs::exists(out / "held" / "metrics.json"));
            QVERIFY(!fs::exists(out / "held" / "error.json"));
        }
        const Result after = batch(m, out);
        QVERIFY2(after.exitCode == 0, qPrintable(after.stdErr));
        QCOMPARE(statusById(after.events).at("held"), std::string("done"));
    }

    void shouldRefuseABadCommandLine_withUsageExit()
    {
        const Result r = run({"batch", QString::fromStdString((dir() / "shards.jsonl").string()), "--out",
                              QString::fromStdString((dir() / "x").string()), "--shard", "3/3"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.stdErr.startsWith("error: --shard"), qPrintable(r.stdErr));
        const Result missing =
            run({"batch", "/no/such/manifest.jsonl", "--out", QString::fromStdString((dir() / "x").string())});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.stdErr.contains("/no/such/manifest.jsonl"), qPrintable(missing.stdErr));
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestCliBatch)
#include "tst_cli_batch.moc"
