// The SynthFace training tool: the latent → attribute map, and a tiny end-to-end run
// whose outputs open with the loaders the application uses, so the tool cannot rot.
#include "core/edit/model_set.h"
#include "core/io/safetensors.h"
#include "core/models/clip.h"
#include "core/models/irse.h"
#include "core/models/stylegan2.h"
#include "core/synthface/latent_attributes.h"
#include "core/synthface/regressor.h"
#include "core/synthface/train.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <torch/torch.h>

#include <fstream>
#include <random>

namespace fs = std::filesystem;
namespace sf = pae::synthface;

namespace {

std::vector<float> randomLatent(std::mt19937_64& rng, int dim)
{
    std::normal_distribution<float> normal;
    std::vector<float> z(static_cast<size_t>(dim), 0.f);
    for (float& v : z)
        v = normal(rng);
    return z;
}

std::string fileBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

} // namespace

class TestSynthfaceTrain : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_cache;
    fs::path m_out;
    nlohmann::json m_report;

    static sf::TrainOptions tinyRun(const fs::path& out)
    {
        sf::TrainOptions o;
        o.out = out;
        o.seed = 5;
        o.scale = 0.002; // one CLIP step, a few generator and regressor steps
        return o;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
        // One thread: the run must be bit-for-bit repeatable, and OpenMP's reductions
        // only are for a fixed thread count.
        torch::set_num_threads(1);
        m_out = fs::path(m_dir.path().toStdString()) / "models";
        m_report = sf::trainSynthFace(tinyRun(m_out), [](const std::string&) {});
    }

    void shouldGiveTheSameAttributes_whenTheLatentIsTheSame()
    {
        std::mt19937_64 rng(3);
        for (int i = 0; i < 50; ++i) {
            const auto z = randomLatent(rng, 64);
            QCOMPARE(sf::attributesFromLatent(z), sf::attributesFromLatent(z));
        }
    }

    void shouldIgnoreTheLatentsScale_likeThePixelNorm()
    {
        std::mt19937_64 rng(4);
        for (int i = 0; i < 50; ++i) {
            auto z = randomLatent(rng, 64);
            const sf::Attributes a = sf::attributesFromLatent(z);
            for (float& v : z)
                v *= 4.0f;
            // Equal up to the pixel norm's ε (1e-8 beside a mean square of about 1).
            const sf::Attributes b = sf::attributesFromLatent(z);
            for (int k = 0; k < sf::kAttrCount; ++k)
                QVERIFY(std::abs(a.values()[size_t(k)] - b.values()[size_t(k)]) < 1e-5f);
        }
    }

    void shouldCoverEveryRangeWithTheWorldsPriors_whenZIsStandardNormal()
    {
        std::mt19937_64 rng(5);
        const int n = 4000;
        std::array<double, sf::kAttrCount> lo, hi, mean{};
        lo.fill(1e9);
        hi.fill(-1e9);
        std::array<int, sf::kHairColorCount> colours{};
        for (int i = 0; i < n; ++i) {
            const sf::Attributes a = sf::attributesFromLatent(randomLatent(rng, 64));
            for (int k = 0; k < sf::kAttrCount; ++k) {
                lo[size_t(k)] = std::min(lo[size_t(k)], double(a.values()[size_t(k)]));
                hi[size_t(k)] = std::max(hi[size_t(k)], double(a.values()[size_t(k)]));
                mean[size_t(k)] += a.values()[size_t(k)] / double(n);
            }
            ++colours[size_t(a.hairColor())];
        }
        for (const sf::AttrInfo& info : sf::attributeTable()) {
            const size_t k = size_t(info.attr);
            if (info.kind == sf::AttrKind::Binary) {
                QVERIFY2(std::abs(mean[k] - sf::binaryPrior(info.attr)) < 0.03, info.name);
            } else {
                // Φ of a pixel-normed coordinate is close to uniform: both ends are reached.
                const double span = info.maxValue - info.minValue;
                QVERIFY2(lo[k] < info.minValue + 0.02 * span, info.name);
                QVERIFY2(hi[k] > info.maxValue - 0.02 * span, info.name);
                QVERIFY2(std::abs(mean[k] - (info.minValue + 0.5 * span)) < 0.05 * span, info.name);
            }
        }
        for (int c : colours)
            QVERIFY(std::abs(c - n / sf::kHairColorCount) < n / 20);
    }

    void shouldReadOnlyTheFirstDimensions_andRefuseShortOrZeroLatents()
    {
        std::mt19937_64 rng(6);
        auto z = randomLatent(rng, 64);
        const sf::Attributes a = sf::attributesFromLatent(z);
        // Swapping two free dimensions keeps rms(z), so nothing may change.
        std::swap(z[40], z[50]);
        QCOMPARE(sf::attributesFromLatent(z), a);
        std::swap(z[0], z[1]);
        QVERIFY(sf::attributesFromLatent(z) != a);
        QVERIFY_THROWS_EXCEPTION(pae::Error, sf::attributesFromLatent(std::vector<float>(size_t(sf::kLatentAttributeDims - 1), 1.f)));
        QVERIFY_THROWS_EXCEPTION(pae::Error, sf::attributesFromLatent(std::vector<float>(64, 0.f)));
        auto bad = z;
        bad[3] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY_THROWS_EXCEPTION(pae::Error, sf::attributesFromLatent(bad));
    }

    void shouldGradeBaldBeardAndHairColour_roundingToTheThresholdedFace()
    {
        std::mt19937_64 rng(7);
        const int n = 4000;
        int baldGraded = 0, beardGraded = 0, blended = 0;
        for (int i = 0; i < n; ++i) {
            const auto z = randomLatent(rng, 64);
            const sf::Attributes hard = sf::attributesFromLatent(z);
            const sf::Attributes graded = sf::gradedAttributesFromLatent(z);
            // Rounding the graded face gives the face the captions describe, attribute by attribute.
            QCOMPARE(graded.bald(), hard.bald());
            QCOMPARE(graded.beard(), hard.beard());
            QCOMPARE(graded.hairColor(), hard.hairColor());
            QCOMPARE(graded[sf::Attr::Glasses], hard[sf::Attr::Glasses]);
            for (sf::Attr a : {sf::Attr::Smile, sf::Attr::HairLength, sf::Attr::SkinTone, sf::Attr::BackgroundHue})
                QCOMPARE(graded[a], hard[a]);
            const auto between = [](float v) { return v > 0.f && v < 1.f; };
            baldGraded += between(graded[sf::Attr::Bald]);
            beardGraded += between(graded[sf::Attr::Beard]);
            blended += graded[sf::Attr::HairColor] != std::round(graded[sf::Attr::HairColor]);
        }
        // Most faces sit on a slope, so an edit's gradient has something to follow.
        QVERIFY2(baldGraded > n * 7 / 10, QByteArray::number(baldGraded));
        QVERIFY2(beardGraded > n * 3 / 4, QByteArray::number(beardGraded));
        QVERIFY2(blended > n * 3 / 4, QByteArray::number(blended)); // the darkest and lightest tenth are pure black and grey

        // The amount grows with the latent coordinate, up to all of it.
        std::vector<float> z(64, 0.f);
        z[20] = 1.f; // a free dimension keeps rms(z) away from zero
        float last = -1.f;
        for (double u = -3.0; u <= 3.0; u += 0.05) {
            z[size_t(sf::Attr::Beard)] = float(u);
            const float amount = sf::gradedAttributesFromLatent(z)[sf::Attr::Beard];
            QVERIFY(amount >= last);
            last = amount;
        }
        QCOMPARE(last, 1.f);
    }

    void shouldTrainTheGeneratorCoarseToFine_andEndAtFullSize()
    {
        sf::GeneratorTrainOptions o;
        o.steps = 100;
        o.share16 = 0.45;
        o.share32 = 0.35;
        QCOMPARE(sf::generatorStepResolution(o, 1), int64_t(16));
        QCOMPARE(sf::generatorStepResolution(o, 45), int64_t(16));
        QCOMPARE(sf::generatorStepResolution(o, 46), int64_t(32));
        QCOMPARE(sf::generatorStepResolution(o, 80), int64_t(32));
        QCOMPARE(sf::generatorStepResolution(o, 81), int64_t(sf::kTrainImageSize));
        QCOMPARE(sf::generatorStepResolution(o, 100), int64_t(sf::kTrainImageSize));
        // A run too short to share out (tests, --scale 0.0001) trains the full image only.
        o.steps = 1;
        QCOMPARE(sf::generatorStepResolution(o, 1), int64_t(sf::kTrainImageSize));
        // Shares that leave no full-size step are refused before anything is trained.
        o.steps = 10;
        o.share16 = 0.5;
        o.share32 = 0.5;
        o.attributeWeight = 0; // no regressor file needed to get that far
        try {
            sf::trainGenerator(m_out / "never.safetensors", {}, o, [](const std::string&) {});
            QFAIL("shares summing to 1 were accepted");
        } catch (const pae::Error& e) {
            QVERIFY2(std::string(e.what()).find("full-size steps") != std::string::npos, e.what());
        }
        QVERIFY(!std::filesystem::exists(m_out / "never.safetensors"));
    }

    void shouldWriteModelsThatTheApplicationsLoadersOpen_whenTheRunIsTiny()
    {
        const auto clip = pae::models::loadClip(m_out / "clip", torch::kCPU);
        QCOMPARE(clip.config.vision.imageSize, int64_t(sf::kTrainImageSize));
        QCOMPARE(clip.config.text.vocabSize, int64_t(clip.tokenizer.vocabSize()));
        // Every word of the captions and corpora is one token.
        QCOMPARE(clip.tokenizer.encode("a surprised bearded guy with eyeglasses").size(), size_t(6));
        QCOMPARE(clip.tokenizer.encode("a person with a shiny bald head").size(), size_t(7));

        const auto gan = pae::models::loadStyleGan2(m_out / "generator.safetensors", torch::kCPU);
        QCOMPARE(gan.config.size, int64_t(sf::kTrainImageSize));
        QCOMPARE(gan.config.styleDim, sf::kLatentDim);
        QVERIFY(gan.latentAvg.defined());
        const auto keys = pae::io::SafetensorsFile(m_out / "generator.safetensors").names();
        for (const auto& key : keys)
            QVERIFY2(key == "latent_avg" || key.rfind("g_ema.", 0) == 0, key.c_str());

        auto regressor = sf::loadRegressor(m_out / "regressor.safetensors", torch::kCPU);
        const auto reading = regressor->read(torch::rand({2, 3, 64, 64}));
        QCOMPARE(reading.values.size(1), int64_t(sf::kAttrCount));

        // The application opens the folder the way it opens any model pair.
        pae::ModelPaths paths;
        paths.clipDir = m_out / "clip";
        paths.generatorFile = m_out / "generator.safetensors";
        paths.device = "cpu";
        const auto models = pae::ModelSet::load(paths);
        const auto image = models->render(models->latentFromSeed(3));
        QCOMPARE(image.width, sf::kTrainImageSize);
    }

    void shouldWriteAReportWithEveryMeasure()
    {
        QVERIFY(fs::exists(m_out / "training-report.json"));
        std::ifstream in(m_out / "training-report.json");
        const auto report = nlohmann::json::parse(in);
        QCOMPARE(report, m_report);
        QCOMPARE(report["zero_shot"].size(), size_t(7));
        for (const char* pair : {"happy_sad", "angry_surprised", "blonde_black_hair", "bald_long_hair", "glasses_none",
                                 "large_small_eyes", "large_small_mouth"})
            QVERIFY2(report["zero_shot"].contains(pair), pair);
        QVERIFY(std::isfinite(report["generator"]["psnr_db"].get<double>()));
        QCOMPARE(report["regressor"]["r2"].size(), sf::regressedAttributes().size() + 1); // + background hue
        QCOMPARE(report["regressor"]["accuracy"].size(), sf::binaryAttributes().size() + 1); // + hair colour
        QCOMPARE(report["training"]["seed"].get<uint64_t>(), uint64_t(5));
        QVERIFY(report["training"]["seconds"].contains("clip"));
        QVERIFY(!sf::summarizeReport(report).empty());
    }

    void shouldWriteTheSameWeights_whenTheSeedIsTheSame()
    {
        QTemporaryDir again;
        const fs::path out = fs::path(again.path().toStdString()) / "models";
        sf::trainSynthFace(tinyRun(out), [](const std::string&) {});
        QVERIFY(fileBytes(out / "generator.safetensors") == fileBytes(m_out / "generator.safetensors"));
        QVERIFY(fileBytes(out / "clip" / "model.safetensors") == fileBytes(m_out / "clip" / "model.safetensors"));
        QVERIFY(fileBytes(out / "regressor.safetensors") == fileBytes(m_out / "regressor.safetensors"));
        QVERIFY(fileBytes(out / "clip" / "vocab.json") == fileBytes(m_out / "clip" / "vocab.json"));
        QVERIFY(fileBytes(out / "identity.safetensors") == fileBytes(m_out / "identity.safetensors"));
        QVERIFY(fileBytes(out / "encoder.safetensors") == fileBytes(m_out / "encoder.safetensors"));
    }

    // The identity network and the encoder are files the application's own loaders read
    // (ArcFace and e4e layouts), measured on held-out faces in the report.
    void shouldTrainTheIdentityNetworkAndTheEncoder()
    {
        const auto identity = pae::models::loadArcFace(m_out / "identity.safetensors", torch::kCPU);
        QCOMPARE(identity.net->embeddingDim(), int64_t(64));
        const auto encoder = pae::models::loadE4e(m_out / "encoder.safetensors", torch::kCPU);
        const auto generator = pae::models::loadStyleGan2(m_out / "generator.safetensors", torch::kCPU);
        QCOMPARE(encoder.rows, generator.config.numLatents());
        QCOMPARE(encoder.styleDim, generator.config.styleDim);
        const auto& training = m_report["training"];
        for (const char* key : {"same_identity_cosine", "different_identity_cosine", "separation"})
            QVERIFY2(training["identity"]["held_out"].contains(key), key);
        for (const char* key : {"encode_psnr_generator_faces_db", "encode_psnr_renders_db", "encode_ms_per_face"})
            QVERIFY2(training["encoder"]["held_out"].contains(key), key);
    }

    void shouldWriteTheSameWeights_whetherTheLanesRunSideBySideOrInTurn()
    {
        // Through the command line, as users run it (it sets the process's thread count).
        QTemporaryDir dir;
        std::vector<fs::path> outs;
        for (const char* lanes : {"2", "1"}) {
            outs.push_back(fs::path(dir.path().toStdString()) / lanes);
            QProcess p;
            p.start(PAE_CLI_PATH, {"synthface", "train", "--out", QString::fromStdString(outs.back().string()), "--seed",
                                   "5", "--scale", "0.002", "--lanes", lanes, "--stages",
                                   "vocabulary,clip,regressor,generator"});
            QVERIFY(p.waitForFinished(300000));
            QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        }
        for (const char* file : {"generator.safetensors", "regressor.safetensors", "clip/model.safetensors"})
            QVERIFY2(fileBytes(outs[0] / file) == fileBytes(outs[1] / file), file);
    }

    void shouldRetrainOneStage_andKeepTheOthersModelsAndReport()
    {
        QTemporaryDir again;
        const fs::path out = fs::path(again.path().toStdString()) / "models";
        sf::trainSynthFace(tinyRun(out), [](const std::string&) {});
        const auto clipBefore = fileBytes(out / "clip" / "model.safetensors");
        auto options = tinyRun(out);
        options.seed = 6;
        options.stages = {"generator"};
        std::vector<std::string> lines;
        const auto result = sf::trainSynthFace(options, [&](const std::string& line) { lines.push_back(line); });
        QVERIFY(fileBytes(out / "clip" / "model.safetensors") == clipBefore);
        QVERIFY(fileBytes(out / "generator.safetensors") != fileBytes(m_out / "generator.safetensors"));
        for (const auto& line : lines)
            QVERIFY2(line.rfind("clip", 0) != 0 && line.rfind("regressor", 0) != 0, line.c_str());
        std::ifstream in(out / "training-report.json");
        const auto report = nlohmann::json::parse(in);
        QCOMPARE(report["training"], result["training"]);
        QVERIFY(report["training"]["seconds"].contains("clip"));      // from the first run
        QVERIFY(report["training"]["seconds"].contains("generator")); // from this one
        QCOMPARE(report["training"]["seed"].get<uint64_t>(), uint64_t(5));            // the full run's
        QCOMPARE(report["training"]["clip"]["seed"].get<uint64_t>(), uint64_t(5));
        QCOMPARE(report["training"]["generator"]["seed"].get<uint64_t>(), uint64_t(6)); // this run's
        QCOMPARE(report["training"]["partial_runs"].size(), size_t(1));
        QCOMPARE(report["training"]["partial_runs"][0]["stages"], nlohmann::json({"generator"}));
        QVERIFY(!report.contains("zero_shot")); // no quality stage this time: nothing stale is claimed

        options.stages = {"generator", "colour"};
        QVERIFY_THROWS_EXCEPTION(pae::UsageError, sf::trainSynthFace(options, [](const std::string&) {}));
    }

    void shouldExitWithUsageError_whenTheOutputFolderIsMissing()
    {
        QProcess p;
        p.start(PAE_CLI_PATH, {"synthface", "train", "--seed", "1"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        p.start(PAE_CLI_PATH, {"synthface", "train", "--out", m_dir.filePath("x"), "--scale", "0"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
    }

    void shouldFailWithOneErrorLine_whenCheckingAFolderWithoutModels()
    {
        QTemporaryDir empty;
        QProcess p;
        p.start(PAE_CLI_PATH, {"synthface", "check", "--models", empty.path()});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.startsWith("error: ") && err.contains("clip"), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestSynthfaceTrain)
#include "tst_synthface_train.moc"
