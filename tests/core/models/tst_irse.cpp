// The IR-SE networks users bring (ArcFace IR-SE50, e4e) against the reference code's
// outputs on tiny random models with the real key layouts (tests/fixtures/make_tiny_irse.py),
// and what they do in the engine: the identity term of an edit, the encoder's start of an
// inversion, pae-cli identity / encode.
#include "TestSupport.h"
#include "core/edit/edit_job.h"
#include "core/edit/inversion.h"
#include "core/edit/model_set.h"
#include "core/io/image.h"
#include "core/io/safetensors.h"
#include "core/io/weights.h"
#include "core/models/irse.h"
#include "core/models/stylegan2.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

using pae::test::errorOf;

namespace {

fs::path fixture(const char* relative) { return fs::path(PAE_TEST_DATA_DIR) / relative; }
const fs::path kArcFace = fixture("tiny-arcface/model_ir_se50.pth");
const fs::path kE4e = fixture("tiny-e4e/e4e_tiny_encode.pt");
const fs::path kGenerator = fixture("tiny-stylegan2/generator.pt");

torch::Tensor expected(const char* folder, const std::string& name)
{
    return pae::io::loadSafetensors(fixture(folder) / "expected.safetensors").at(name);
}

torch::Tensor pixels(const char* folder)
{
    return pae::io::loadSafetensors(fixture(folder) / "test_pixels.safetensors").at("pixels");
}

double relativeError(const torch::Tensor& got, const torch::Tensor& want)
{
    return (got - want).abs().max().item<double>() / want.abs().max().item<double>();
}

using Cli = pae::test::CliResult;
Cli runCli(const QStringList& args) { return pae::test::runCli(args, pae::test::CliOptions::timeout(300000)); }

QString str(const fs::path& p) { return QString::fromStdString(p.string()); }

} // namespace

class TestIrse : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QTemporaryDir m_cache;

    fs::path dir() const { return fs::path(m_dir.path().toStdString()); }

    std::shared_ptr<pae::ModelSet> models(bool identity, bool encoder)
    {
        pae::ModelPaths paths;
        paths.clipDir = fixture("tiny-clip");
        paths.generatorFile = kGenerator;
        if (identity)
            paths.identityFile = kArcFace;
        if (encoder)
            paths.encoderFile = kE4e;
        paths.device = "cpu";
        return pae::ModelSet::load(paths);
    }

private Q_SLOTS:
    void initTestCase() { qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8()); }

    void arcFaceShouldMatchTheReference()
    {
        auto model = pae::models::loadArcFace(kArcFace, torch::kCPU);
        QCOMPARE(model.description, std::string("ArcFace IR-SE50 (32-d embedding)"));
        torch::NoGradGuard noGrad;
        const auto got = model.net->forward(pixels("tiny-arcface"));
        const double err = relativeError(got, expected("tiny-arcface", "embedding"));
        QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));
        QVERIFY(torch::allclose(got.norm(2, 1), torch::ones({got.size(0)}), 1e-5, 1e-5));
    }

    void identityConventionShouldMatchTheReference()
    {
        const auto a = pae::io::imageToTensor(pae::io::readImage(fixture("tiny-arcface/face_a.png"))) * 2.0 - 1.0;
        const auto b = pae::io::imageToTensor(pae::io::readImage(fixture("tiny-arcface/face_b.png"))) * 2.0 - 1.0;
        const auto pooled = pae::models::identityCrop(a);
        QCOMPARE(pooled.sizes(), (std::vector<int64_t>{1, 3, 112, 112}));
        QVERIFY(relativeError(pooled, expected("tiny-arcface", "pooled_a")) < 1e-5);
        auto model = pae::models::loadArcFace(kArcFace, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto e = model.net->forward(torch::cat({pooled, pae::models::identityCrop(b)}));
        const float similarity = (e[0] * e[1]).sum().item<float>();
        QVERIFY2(std::abs(similarity - expected("tiny-arcface", "similarity").item<float>()) < 1e-4,
                 qPrintable(QString::number(similarity)));
    }

    void identityCropShouldEqualPoolingCropPooling()
    {
        // The convention written out as pSp does it (pool to 256², crop, pool to 112²),
        // against identityCrop's matrix products: values and gradients, for sizes below,
        // at and above 256 and for non-square images.
        namespace F = torch::nn::functional;
        using torch::indexing::Slice;
        auto reference = [](const torch::Tensor& images) {
            auto x = images;
            if (x.size(2) != 256 || x.size(3) != 256)
                x = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({256, 256}));
            x = x.index({Slice(), Slice(), Slice(35, 223), Slice(32, 220)});
            return F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({112, 112}));
        };
        torch::manual_seed(3);
        for (auto [h, w] : std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {100, 120}, {256, 256}, {300, 512}}) {
            // The generator's images are channels-last.
            const auto images = torch::randn({2, 3, h, w}).contiguous(at::MemoryFormat::ChannelsLast);
            auto a = images.clone().set_requires_grad(true);
            auto b = images.clone().set_requires_grad(true);
            const auto got = pae::models::identityCrop(a);
            const auto want = reference(b);
            QCOMPARE(got.sizes(), want.sizes());
            const auto weights = torch::randn(want.sizes());
            (got * weights).sum().backward();
            (want * weights).sum().backward();
            const QString size = QString("%1x%2").arg(h).arg(w);
            QVERIFY2(relativeError(got, want) < 1e-5, qPrintable(size));
            QVERIFY2(relativeError(a.grad(), b.grad()) < 1e-5, qPrintable(size));
        }
    }

    void e4eShouldMatchTheReference()
    {
        const auto encoder = pae::models::loadE4e(kE4e, torch::kCPU);
        QCOMPARE(encoder.rows, int64_t(8));
        QCOMPARE(encoder.styleDim, int64_t(32));
        torch::NoGradGuard noGrad;
        const auto got = encoder.encode(pixels("tiny-e4e"));
        const double err = relativeError(got, expected("tiny-e4e", "w"));
        QVERIFY2(err < 1e-4, qPrintable(QString::number(err)));
    }

    // The e4e file's decoder is a whole generator: --generator e4e_ffhq_encode.pt works.
    void e4eFileShouldServeAsGenerator()
    {
        auto fromE4e = pae::models::loadStyleGan2(kE4e, torch::kCPU);
        auto plain = pae::models::loadStyleGan2(kGenerator, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto w = torch::randn({1, plain.config.numLatents(), plain.config.styleDim});
        QVERIFY(torch::allclose(fromE4e.generator->synthesize(w), plain.generator->synthesize(w), 1e-5, 1e-6));
        QCOMPARE(fromE4e.latentAvg.sizes(), plain.latentAvg.sizes());
    }

    void brokenFilesShouldNameFileAndKey()
    {
        // truncated: the file's name in the message
        for (const fs::path& source : {kArcFace, kE4e}) {
            std::ifstream in(source, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            const fs::path cut = dir() / ("cut-" + source.filename().string());
            std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size() * 6 / 10));
            const std::string message = errorOf([&] {
                if (source == kArcFace)
                    pae::models::loadArcFace(cut, torch::kCPU);
                else
                    pae::models::loadE4e(cut, torch::kCPU);
            });
            QVERIFY2(message.find(cut.string()) != std::string::npos, message.c_str());
        }
        // a renamed key: both the missing and the unknown key are named
        auto tensors = pae::io::loadWeights(kArcFace);
        auto node = tensors.extract("body.3.res_layer.1.weight");
        node.key() = "body.3.res_layer.1.weights";
        tensors.insert(std::move(node));
        std::string message = errorOf([&] { pae::models::loadArcFace(tensors, "foreign.pth", torch::kCPU); });
        QVERIFY2(message.find("foreign.pth") != std::string::npos, message.c_str());
        QVERIFY2(message.find("missing tensor(s): body.3.res_layer.1.weight") != std::string::npos, message.c_str());
        QVERIFY2(message.find("unknown tensor(s): body.3.res_layer.1.weights") != std::string::npos, message.c_str());

        auto e4e = pae::io::loadWeights(kE4e);
        auto style = e4e.extract("state_dict.encoder.styles.4.linear.weight");
        style.key() = "state_dict.encoder.styles.4.linear.weights";
        e4e.insert(std::move(style));
        message = errorOf([&] { pae::models::loadE4e(e4e, "foreign.pt", torch::kCPU); });
        QVERIFY2(message.find("state_dict.encoder.styles.4.linear.weight ") != std::string::npos ||
                     message.find("state_dict.encoder.styles.4.linear.weight\n") != std::string::npos,
                 message.c_str());
        QVERIFY2(message.find("state_dict.encoder.styles.4.linear.weights") != std::string::npos, message.c_str());

        // one network given as the other
        message = errorOf([&] { pae::models::loadE4e(kArcFace, torch::kCPU); });
        QVERIFY2(message.find("ArcFace identity network, not an e4e encoder") != std::string::npos, message.c_str());
        message = errorOf([&] { pae::models::loadArcFace(kE4e, torch::kCPU); });
        QVERIFY2(message.find("e4e encoder, not an ArcFace") != std::string::npos, message.c_str());
        message = errorOf([&] { pae::models::loadArcFace(kGenerator, torch::kCPU); });
        QVERIFY2(message.find("no ArcFace IR-SE network") != std::string::npos, message.c_str());
    }

    // An encoder belongs to its generator: a mismatch is refused when the models load.
    void encoderOfAnotherGeneratorShouldBeRefused()
    {
        pae::ModelPaths paths; // the built-in SynthFace generator is not the tiny one
        paths.encoderFile = kE4e;
        paths.device = "cpu";
        const std::string message = errorOf([&] { pae::ModelSet::load(paths); });
        QVERIFY2(message.find(kE4e.string() + ": the encoder writes 8×32 W+") != std::string::npos, message.c_str());
    }

    void editShouldKeepIdentityCloserWithTheIdentityTerm()
    {
        const auto set = models(true, false);
        QVERIFY(set->info().identityDescription.find("ArcFace IR-SE50") != std::string::npos);
        pae::EditRequest r = pae::EditRequest::defaults();
        r.source = set->latentFromSeed(11);
        r.prompt = "a happy face";
        r.corpus = "emotion";
        r.lambdas = {8.0f};
        r.steps = 25;
        r.l2Weight = 0.0f;
        r.previewEvery = 0;
        // The tiny random identity net has cliffs (an embedding can flip sign in one step),
        // so a single face can go either way by rounding: the claim is checked as the median
        // over four faces.
        std::vector<float> without, with;
        pae::EditResult free;
        for (int seed : {11, 12, 13, 14}) {
            r.source = set->latentFromSeed(seed);
            r.idWeight = 0.0f;
            const pae::EditResult a = pae::EditJob(set).run(r);
            r.idWeight = 1.0f;
            const pae::EditResult b = pae::EditJob(set).run(r);
            QVERIFY(a.metrics[0].idSimilarity && b.metrics[0].idSimilarity);
            without.push_back(*a.metrics[0].idSimilarity);
            with.push_back(*b.metrics[0].idSimilarity);
            if (seed == 11)
                free = a;
        }
        auto median = [](std::vector<float> v) {
            std::sort(v.begin(), v.end());
            return 0.5f * (v[1] + v[2]);
        };
        const float a = median(without), b = median(with);
        qInfo("identity similarity to the source, median of 4 faces: %.4f without the term, %.4f with weight 1",
              double(a), double(b));
        QVERIFY2(b > a + 0.01f, qPrintable(QStringLiteral("%1 vs %2").arg(a).arg(b)));
        r.source = set->latentFromSeed(11);
        QVERIFY(std::abs(set->identitySimilarity(free.latents[0], r.source) - without[0]) < 1e-4);
        QVERIFY(std::abs(set->identitySimilarity(r.source, r.source) - 1.0f) < 1e-5);
    }

    // The built-in world ships its own identity network and encoder (synthface train): the
    // studio's defaults have both, the identity term keeps the person closer, and a
    // render is encoded into a latent that draws it.
    void builtinWorldShouldKeepIdentity_andEncodeItsFaces()
    {
        pae::ModelPaths paths;
        paths.device = "cpu";
        const auto set = pae::ModelSet::load(paths);
        QVERIFY2(set->info().identityDescription.find("identity.safetensors") != std::string::npos,
                 set->info().identityDescription.c_str());
        QVERIFY2(set->info().encoderDescription.find("encoder.safetensors") != std::string::npos,
                 set->info().encoderDescription.c_str());
        pae::EditRequest r = pae::EditRequest::defaults(set->info());
        r.source = set->latentFromSeed(3);
        r.prompt = "a bald person";
        r.corpus = "hairstyle";
        r.lambdas = {8.0f};
        r.steps = 60;
        r.l2Weight = 0.0f; // nothing else holds the face: what the identity term keeps shows
        r.previewEvery = 0;
        r.idWeight = 0.0f;
        const pae::EditResult free = pae::EditJob(set).run(r);
        r.idWeight = 0.5f;
        const pae::EditResult kept = pae::EditJob(set).run(r);
        const float a = *free.metrics[0].idSimilarity, b = *kept.metrics[0].idSimilarity;
        qInfo("built-in world, 'a bald person' λ 8, 60 steps, L2 0: identity similarity %.4f without the term, "
              "%.4f with weight 0.5",
              double(a), double(b));
        QVERIFY2(b > a + 0.01f, qPrintable(QStringLiteral("%1 vs %2").arg(a).arg(b)));

        pae::InversionRequest invert;
        invert.image = set->render(set->latentFromSeed(21));
        invert.steps = 0;
        invert.previewEvery = 0;
        const pae::InversionResult encoded = pae::InversionJob(set).run(invert);
        QVERIFY(encoded.encoded);
        qInfo("built-in encoder: a generator face back at %.2f dB", double(encoded.psnr));
        QVERIFY2(encoded.psnr > 18.0f, qPrintable(QString::number(encoded.psnr)));
    }

    void withoutIdentityModelThereIsNoIdentityMetric()
    {
        const auto set = models(false, false);
        QVERIFY(set->info().identityDescription.empty());
        pae::EditRequest r = pae::EditRequest::defaults();
        r.source = set->latentFromSeed(11);
        r.prompt = "a happy face";
        r.corpus = "emotion";
        r.lambdas = {8.0f};
        r.steps = 3;
        r.previewEvery = 0;
        const pae::EditResult result = pae::EditJob(set).run(r);
        QVERIFY(!result.metrics[0].idSimilarity);
        QVERIFY_EXCEPTION_THROWN(set->identitySimilarity(r.source, r.source), pae::Error);
    }

    void inversionShouldStartFromTheEncoder()
    {
        const auto set = models(false, true);
        QVERIFY(set->info().encoderDescription.find("e4e IR-SE50 encoder (8 × 32 W+)") != std::string::npos);
        pae::InversionRequest request;
        request.image = set->render(set->latentFromSeed(5));
        request.previewEvery = 0;
        request.steps = 0;
        const pae::InversionResult encoded = pae::InversionJob(set).run(request);
        QVERIFY(encoded.encoded);
        QCOMPARE(encoded.stepsRun, 0);
        QCOMPARE(encoded.psnr, encoded.encodedPsnr);
        // the latent is the encoder's W+ of the image (resized to 256², in [-1,1])
        const auto encoder = pae::models::loadE4e(kE4e, torch::kCPU);
        torch::Tensor w;
        {
            torch::NoGradGuard noGrad;
            const auto face = torch::nn::functional::interpolate(pae::io::imageToTensor(request.image),
                                                                 torch::nn::functional::InterpolateFuncOptions()
                                                                     .size(std::vector<int64_t>{256, 256})
                                                                     .mode(torch::kBicubic)
                                                                     .align_corners(false))
                                  .clamp(0, 1);
            w = encoder.encode(face * 2.0 - 1.0)[0];
        }
        const auto got = torch::from_blob(const_cast<float*>(encoded.latent.values.data()), {8, 32}).clone();
        QVERIFY2(relativeError(got, w) < 1e-4, qPrintable(QString::number(relativeError(got, w))));

        request.steps = 30;
        torch::NoGradGuard callerWithoutGradients; // the job turns them on for itself
        const pae::InversionResult refined = pae::InversionJob(set).run(request);
        QVERIFY(refined.encoded);
        QCOMPARE(refined.stepsRun, 30);
        QVERIFY2(refined.psnr > refined.encodedPsnr,
                 qPrintable(
                     QStringLiteral("%1 dB after 30 steps, %2 dB encoded").arg(refined.psnr).arg(refined.encodedPsnr)));

        request.steps = 0;
        const std::string message = errorOf([&] { pae::InversionJob(models(false, false)).run(request); });
        QVERIFY2(message.find("steps: 0 optimizes nothing") != std::string::npos, message.c_str());
    }

    void cliIdentityShouldPrintEmbeddingsAndSimilarity()
    {
        Cli r = runCli(
            {"identity", "--arcface", str(kArcFace), "--pixels", str(fixture("tiny-arcface/test_pixels.safetensors"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        const auto want = expected("tiny-arcface", "embedding");
        for (int i = 0; i < 2; ++i) {
            const auto row = nlohmann::json::parse(lines[i].toStdString()).get<std::vector<float>>();
            QCOMPARE(int64_t(row.size()), want.size(1));
            QVERIFY(relativeError(torch::tensor(row), want[i]) < 1e-4);
        }
        r = runCli({"identity", "--arcface", str(kArcFace), "--image", str(fixture("tiny-arcface/face_a.png")),
                    "--image", str(fixture("tiny-arcface/face_b.png")), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(std::abs(j["similarity"].get<float>() - expected("tiny-arcface", "similarity").item<float>()) < 1e-4);

        r = runCli({"identity", "--arcface", str(kArcFace), "--image", str(fixture("tiny-arcface/face_a.png"))});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("exactly two images"), qPrintable(r.err));
        r = runCli(
            {"identity", "--arcface", str(kE4e), "--pixels", str(fixture("tiny-arcface/test_pixels.safetensors"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(str(kE4e)) && r.err.contains("not an ArcFace"), qPrintable(r.err));
        r = runCli(
            {"identity", "--arcface", str(kArcFace), "--pixels", str(fixture("tiny-e4e/test_pixels.safetensors"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("expected [N,3,112,112]"), qPrintable(r.err));
    }

    void cliEncodeShouldWriteTheReferenceLatents()
    {
        const fs::path out = dir() / "w.safetensors";
        Cli r = runCli({"encode", "--encoder", str(kE4e), "--pixels", str(fixture("tiny-e4e/test_pixels.safetensors")),
                        "--latent-out", str(out)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto w = pae::io::loadSafetensors(out).at("w");
        QVERIFY(relativeError(w, expected("tiny-e4e", "w")) < 1e-4);

        // --image: the models' own generator must be the encoder's
        const fs::path image = dir() / "face.png";
        const auto set = models(false, false);
        pae::io::writeImage(set->render(set->latentFromSeed(3)), image);
        const fs::path latent = dir() / "face.safetensors";
        const fs::path recon = dir() / "recon.png";
        r = runCli({"encode", "--clip", str(fixture("tiny-clip")), "--generator", str(kE4e), "--encoder", str(kE4e),
                    "--image", str(image), "--latent-out", str(latent), "--out", str(recon), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(std::isfinite(j["psnr_db"].get<double>())); // random models: any value
        QVERIFY(fs::exists(latent) && fs::exists(recon));

        // --id-weight without an identity model is a usage error, not a silent no-op
        r = runCli({"edit", "--clip", str(fixture("tiny-clip")), "--generator", str(kGenerator), "--seed", "1",
                    "--prompt", "a happy face", "--steps", "2", "--id-weight", "0.1", "--out", str(dir() / "e.png")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--id-weight") && r.err.contains("--arcface"), qPrintable(r.err));
        QVERIFY(!fs::exists(dir() / "e.png"));
        // with one, the metrics carry the identity similarity
        r = runCli({"edit", "--clip", str(fixture("tiny-clip")), "--generator", str(kGenerator), "--arcface",
                    str(kArcFace), "--seed", "1", "--prompt", "a happy face", "--steps", "2", "--id-weight", "0.1",
                    "--out", str(dir() / "e.png"), "--metrics-out", str(dir() / "m.json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        std::ifstream in(dir() / "m.json");
        const auto m = nlohmann::json::parse(in);
        QVERIFY(m["per_lambda"][0].contains("identity_similarity"));
        QCOMPARE(m["settings"]["id_weight"].get<float>(), 0.1f);
        QVERIFY(m["models"]["identity"].get<std::string>().find("ArcFace") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestIrse)
#include "tst_irse.moc"
