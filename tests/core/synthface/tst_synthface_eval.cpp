// The SynthFace edit benchmark on the shipped models, shrunk to a few edits.
#include "core/synthface/eval.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <map>
#include <vector>

class TestSynthfaceEval : public QObject {
    Q_OBJECT
    QTemporaryDir m_cache;

private Q_SLOTS:
    void initTestCase() { qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8()); }

    void shouldScoreEveryTarget_onASmallRun()
    {
        pae::synthface::EvalOptions options;
        options.faces = 2;
        options.steps = 3;
        options.lambdas = {2.0f, 8.0f};
        options.corpusFilter = "emotion";
        int calls = 0;
        const auto report = pae::synthface::runEval(options, [&](int done, int total) {
            ++calls;
            QCOMPARE(total, 2 * 4 * 4); // faces × emotion probes × targets
            QVERIFY(done <= total);
        });
        QCOMPARE(calls, 32);
        QCOMPARE(int(report.overall.size()), 4);
        for (const char* target : {"text", "pae", "pae+", "pae+corpus"}) {
            const auto& s = report.overall.at(target);
            QVERIFY(s.accuracy >= 0 && s.accuracy <= 1);
            QVERIFY(s.drift >= 0 && s.identity >= 0);
            QVERIFY(s.edits <= 2 * 4 * 2);
        }
        // The text target does not use λ, so it has no λ correlation to report.
        QVERIFY(!report.overall.at("text").spearman.has_value());
        const auto json = nlohmann::json::parse(report.toJson());
        for (const char* key : {"accuracy", "drift", "spearman", "identity", "glasses_kept"})
            QVERIFY(json.at("pae+").contains(key));
        // Per corpus, and the drift broken down by attribute (glasses on their own).
        QVERIFY(json.at("pae+").at("per_corpus").contains("emotion"));
        QVERIFY(json.at("pae+").at("per_corpus").at("emotion").contains("accuracy"));
        const auto& byAttribute = json.at("pae+").at("drift_by_attribute");
        QVERIFY(byAttribute.contains("glasses"));
        QVERIFY(!byAttribute.contains("smile")); // an emotion attribute is the target, not drift
        QVERIFY(json.at("pae+").at("glasses_kept").get<double>() >= 0);
        // Per λ: each strength's edits on their own, adding up to the overall count.
        const auto& perLambda = json.at("pae+").at("per_lambda");
        QCOMPARE(int(perLambda.size()), 2);
        QCOMPARE(perLambda.at("2").at("edits").get<int>() + perLambda.at("8").at("edits").get<int>(),
                 report.overall.at("pae+").edits);
        const std::string md = report.toMarkdown();
        QVERIFY(md.find("| pae+ |") != std::string::npos);
        QVERIFY(md.find("emotion") != std::string::npos);
        QVERIFY2(md.find("By λ (accuracy / drift") != std::string::npos, md.c_str());
        QVERIFY2(md.find("\n| 8 |") != std::string::npos, md.c_str());
    }

    // Every edit is on record, the scores add up from the records, and the λ correlation is
    // also given over the pairs whose change spreads across λ by the margin.
    void shouldRecordEveryEdit_andRankThePairsThatMoveOnTheirOwn()
    {
        pae::synthface::EvalOptions options;
        options.faces = 2;
        options.firstSeed = 1003;
        options.steps = 4;
        options.lambdas = {1.0f, 8.0f};
        options.corpusFilter = "mouth";
        options.targets = {pae::TargetKind::Text, pae::TargetKind::PaePlus};
        options.margin = 0.002f; // so that a 4-step edit can count as moving
        const auto report = pae::synthface::runEval(options);
        const auto json = nlohmann::json::parse(report.toJson());
        QCOMPARE(json.at("text").at("edits").size(), size_t(2));     // text ignores λ: one edit per face
        QCOMPARE(json.at("pae+").at("edits").size(), size_t(2 * 2)); // faces × λ
        for (const char* target : {"text", "pae+"}) {
            int counted = 0, moved = 0;
            for (const auto& e : json.at(target).at("edits")) {
                counted += e.at("counted").get<bool>() ? 1 : 0;
                moved += e.at("moved").get<bool>() ? 1 : 0;
                QCOMPARE(e.at("moved").get<bool>(),
                         e.at("counted").get<bool>() && e.at("change").get<double>() >= double(options.margin));
            }
            // The scores count text's one edit under every λ, as it stands for each.
            const int perEdit = std::string(target) == "text" ? int(options.lambdas.size()) : 1;
            const auto& s = report.overall.at(target);
            QCOMPARE(counted * perEdit, s.edits);
            QVERIFY(counted > 0);
            QCOMPARE(double(moved) / counted, s.accuracy);
        }
        // pae+: per face, the two λ's changes; a pair "moves" when they differ by the margin.
        std::map<uint64_t, std::vector<double>> byFace;
        for (const auto& e : json.at("pae+").at("edits"))
            byFace[e.at("seed").get<uint64_t>()].push_back(e.at("change").get<double>());
        int movingPairs = 0;
        double rhoSum = 0;
        for (const auto& [seed, changes] : byFace) {
            QCOMPARE(int(changes.size()), 2);
            if (std::abs(changes[1] - changes[0]) >= double(options.margin)) {
                ++movingPairs;
                rhoSum += changes[1] > changes[0] ? 1.0 : -1.0; // two points rank perfectly one way or the other
            }
        }
        QVERIFY2(movingPairs > 0, report.toMarkdown().c_str());
        const auto& s = json.at("pae+");
        QCOMPARE(s.at("spearman_moving_pairs").get<int>(), movingPairs);
        QVERIFY(s.at("spearman_pairs").get<int>() >= movingPairs);
        QCOMPARE(s.at("spearman_moving").get<double>(), rhoSum / movingPairs);
        const std::string md = report.toMarkdown();
        QVERIFY2(md.find("(" + std::to_string(movingPairs) + " of " +
                         std::to_string(s.at("spearman_pairs").get<int>()) + " pairs)") != std::string::npos,
                 md.c_str());

        // With the margin between the two faces' spreads, one pair moves and the other does not.
        const double spreadA = std::abs(byFace.begin()->second[1] - byFace.begin()->second[0]);
        const double spreadB = std::abs(byFace.rbegin()->second[1] - byFace.rbegin()->second[0]);
        QVERIFY2(std::abs(spreadA - spreadB) > 1e-3, report.toMarkdown().c_str());
        options.margin = float(0.5 * (spreadA + spreadB));
        const auto between = pae::synthface::runEval(options).overall.at("pae+");
        QCOMPARE(between.spearmanPairs, 2);
        QCOMPARE(between.spearmanMovingPairs, 1);
    }

    void shouldCompareAPresetWithPerFaceEdits_onASmallRun()
    {
        pae::synthface::PresetEvalOptions options;
        options.faces = 2;
        options.steps = 3;
        options.refineSteps = 2;
        options.corpusFilter = "glasses";
        int calls = 0;
        const auto report = pae::synthface::runPresetEval(options, [&](int done, int total) {
            ++calls;
            QCOMPARE(total, 1 + 2 * 3); // the preset, then per face: optimization, transfer, refinement
            QVERIFY(done <= total);
        });
        QCOMPARE(calls, 7);
        QCOMPARE(int(report.rows.size()), 1);
        QCOMPARE(QString::fromStdString(report.rows[0].probe.corpus), QStringLiteral("glasses"));
        for (const char* method : {"per-face", "preset", "preset+refine"}) {
            const auto& m = report.overall.at(method);
            QVERIFY(m.scores.accuracy >= 0 && m.scores.accuracy <= 1);
            QVERIFY(m.scores.drift >= 0 && m.scores.identity >= 0);
            QVERIFY(m.secondsPerFace > 0);
        }
        const auto json = nlohmann::json::parse(report.toJson());
        QVERIFY(json.at("overall").contains("preset+refine"));
        QCOMPARE(int(json.at("probes").size()), 1);
        QVERIFY(report.toMarkdown().find("| preset |") != std::string::npos);
    }

    // Held-out renders inverted and read back: every face measured, the averages consistent
    // with their parts, and the encoder's start already close (the built-in encoder alone
    // reaches about 19 dB on these renders).
    void shouldReadRenderAndReconstruction_whenMeasuringInversion()
    {
        pae::synthface::InversionEvalOptions options;
        options.faces = 2;
        options.steps = 10;
        int calls = 0;
        const auto report = pae::synthface::runInversionEval(options, [&](int done, int total) {
            ++calls;
            QCOMPARE(total, 2);
            QCOMPARE(done, calls);
        });
        QCOMPARE(calls, 2);
        QCOMPARE(int(report.psnr.size()), 2);
        for (double p : report.psnr)
            QVERIFY2(p > 15, qPrintable(QString::number(p)));
        double sum = 0;
        for (const auto& [attr, v] : report.changeByAttribute) {
            QVERIFY2(v >= 0 && v <= 1, attr.c_str());
            sum += v;
        }
        QCOMPARE(int(report.changeByAttribute.size()), int(pae::synthface::kAttrCount));
        QVERIFY(std::abs(report.attributeChange - sum / pae::synthface::kAttrCount) < 1e-9);
        QVERIFY(report.binaryAgreement >= 0 && report.binaryAgreement <= 1);
        QVERIFY(report.hairColorAgreement == 0 || report.hairColorAgreement == 0.5 || report.hairColorAgreement == 1);
        QVERIFY(report.toMarkdown().find("held-out renders (seeds 90001…90002)") != std::string::npos);
        const auto json = nlohmann::json::parse(report.toJson());
        QCOMPARE(json.at("psnr").size(), size_t(2));
    }

    void shouldRefuse_whenTheGridHasOneLambda()
    {
        pae::synthface::EvalOptions options;
        options.lambdas = {5.0f};
        QVERIFY_THROWS_EXCEPTION(pae::UsageError, pae::synthface::runEval(options));
    }
};

QTEST_GUILESS_MAIN(TestSynthfaceEval)
#include "tst_synthface_eval.moc"
