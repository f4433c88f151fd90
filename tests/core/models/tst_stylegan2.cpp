#include "TestSupport.h"
#include "core/io/weights.h"
#include "core/models/stylegan2.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest/QtTest>

#include <fstream>

namespace {

const std::string kFixture = std::string(PAE_TEST_DATA_DIR) + "/tiny-stylegan2/generator.pt";

torch::Tensor expected(const std::string& name)
{
    static const nlohmann::json j = [] {
        std::ifstream in(std::string(PAE_TEST_DATA_DIR) + "/tiny-stylegan2/expected.json");
        return nlohmann::json::parse(in);
    }();
    const auto& e = j.at(name);
    auto data = e.at("data").get<std::vector<float>>();
    return torch::tensor(data).reshape(e.at("shape").get<std::vector<int64_t>>());
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

pae::io::TensorMap stateOf(pae::models::Generator& g, const std::string& prefix)
{
    pae::io::TensorMap map;
    for (const auto& p : g->named_parameters())
        map[prefix + p.key()] = p.value().detach().clone();
    for (const auto& b : g->named_buffers())
        map[prefix + b.key()] = b.value().clone();
    return map;
}

template <typename F>
QString errorOf(F&& f) // as QString, for QString's contains()
{
    return QString::fromStdString(pae::test::errorOf(std::forward<F>(f)));
}

} // namespace

class TestStyleGan2 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldDetectConfig_fromTensorShapes()
    {
        pae::models::StyleGan2Config c;
        c.size = 128;
        c.styleDim = 24;
        c.nMlp = 3;
        c.channelMultiplier = 2;
        c.channelMax = 32;
        pae::models::Generator g(c);
        const auto d = pae::models::StyleGan2Config::fromTensors(stateOf(g, ""));
        QCOMPARE(d.size, 128);
        QCOMPARE(d.styleDim, 24);
        QCOMPARE(d.nMlp, 3);
        QCOMPARE(d.channelMax, 32);
        QCOMPARE(d.channelMultiplier, 2);
        QCOMPARE(d.numLatents(), 12);
    }

    void shouldFollowThePortsChannelTable_forConfigF()
    {
        pae::models::StyleGan2Config f; // defaults: 1024², 512, 8, ×2
        const std::map<int64_t, int64_t> table = {{4, 512},  {8, 512},   {16, 512}, {32, 512}, {64, 512},
                                                  {128, 256}, {256, 128}, {512, 64}, {1024, 32}};
        for (const auto& [r, ch] : table)
            QCOMPARE(f.channels(r), ch);
        f.channelMultiplier = 1;
        QCOMPARE(f.channels(64), 256);
        QCOMPARE(f.numLatents(), 18);
    }

    void shouldMatchTheReference_whenLoadingTheFixture()
    {
        auto m = pae::models::loadStyleGan2(kFixture, torch::kCPU);
        QCOMPARE(m.config.size, 32);
        QCOMPARE(m.config.styleDim, 32);
        QCOMPARE(m.config.nMlp, 2);
        QCOMPARE(m.config.channelMax, 16);
        QCOMPARE(m.latentAvg.sizes(), (at::IntArrayRef{32}));
        QVERIFY(!m.hash.empty());
        torch::NoGradGuard noGrad;
        const auto image = m.generator->synthesize(expected("wplus"));
        QCOMPARE(image.sizes(), (at::IntArrayRef{2, 3, 32, 32}));
        QVERIFY2(maxAbsDiff(image, expected("image_wplus")) < 1e-4, "W+ image differs from the reference");
        const auto w = m.generator->mapping(expected("z"));
        QVERIFY(maxAbsDiff(w, expected("w_of_z")) < 1e-4);
        const auto truncated = m.generator->synthesize(m.toWPlus(m.truncate(w, 0.7)));
        QVERIFY(maxAbsDiff(truncated, expected("image_z_psi0.7")) < 1e-4);
    }

    void shouldReturnTheSkipImage_atTheStopResolution()
    {
        auto m = pae::models::loadStyleGan2(kFixture, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto image = m.generator->synthesize(expected("wplus"), 16);
        QCOMPARE(image.sizes(), (at::IntArrayRef{2, 3, 16, 16}));
        QVERIFY(maxAbsDiff(image, expected("image_wplus_stop16")) < 1e-4);
        QCOMPARE(m.generator->synthesize(expected("wplus"), 4).size(3), 4);
        QVERIFY(errorOf([&] { m.generator->synthesize(expected("wplus"), 12); }) != QString::fromLatin1(pae::test::kNoError));
        QVERIFY(errorOf([&] { m.generator->synthesize(expected("wplus"), 64); }) != QString::fromLatin1(pae::test::kNoError));
    }

    void shouldGiveTheBatchResult_forEachSampleAlone()
    {
        // A single sample without gradient takes the folded-weight path, a batch the
        // modulated-input path; both must agree.
        auto m = pae::models::loadStyleGan2(kFixture, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto wplus = expected("wplus");
        const auto batch = m.generator->synthesize(wplus);
        for (int64_t i = 0; i < 2; ++i)
            QVERIFY(maxAbsDiff(m.generator->synthesize(wplus.slice(0, i, i + 1)), batch.slice(0, i, i + 1)) < 1e-5);
    }

    void shouldBeDeterministic()
    {
        auto m = pae::models::loadStyleGan2(kFixture, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto w = expected("wplus");
        QVERIFY(torch::equal(m.generator->synthesize(w), m.generator->synthesize(w)));
        QVERIFY(torch::equal(m.zFromSeed(7, 3), m.zFromSeed(7, 3)));
        QVERIFY(!torch::equal(m.zFromSeed(7), m.zFromSeed(8)));
    }

    void shouldTreatW_asTheSameLatentInEveryLayer()
    {
        auto m = pae::models::loadStyleGan2(kFixture, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto w = expected("w_of_z");
        const auto fromW = m.generator->synthesize(m.toWPlus(w));
        const auto fromWPlus = m.generator->synthesize(w.unsqueeze(1).repeat({1, m.config.numLatents(), 1}));
        QVERIFY(maxAbsDiff(fromW, fromWPlus) < 1e-6);
        QVERIFY(errorOf([&] { m.toWPlus(torch::zeros({1, 5, 32})); }).contains("W+"));
    }

    void shouldGiveTheGradientOfTheImage_withRespectToWPlus()
    {
        // One sample with a gradient takes the modulated-input path; the reference is the
        // plain formulation's autograd in double precision.
        auto m = pae::models::loadStyleGan2(kFixture, torch::kCPU);
        auto w = expected("wplus").slice(0, 0, 1).clone().requires_grad_(true);
        const auto pattern = torch::sin(torch::arange(3 * 32 * 32, torch::kFloat64)).to(torch::kFloat32).view({1, 3, 32, 32});
        (m.generator->synthesize(w) * pattern).sum().backward();
        const auto want = expected("grad_wplus0_sin");
        const double err = maxAbsDiff(w.grad(), want) / want.abs().max().item<double>();
        QVERIFY2(err < 1e-4, qPrintable(QString("relative gradient error %1").arg(err)));
    }

    void shouldNameTheKey_whenATensorIsMissingOrMisshaped()
    {
        auto tensors = pae::io::loadWeights(kFixture);
        auto missing = tensors;
        missing.erase("g_ema.convs.3.noise.weight");
        QVERIFY(errorOf([&] { pae::models::loadStyleGan2(missing, "gen.pt", torch::kCPU); }).contains("g_ema.convs.3.noise.weight"));
        auto misshaped = tensors;
        misshaped["g_ema.convs.1.conv.modulation.bias"] = torch::zeros({5});
        const auto msg = errorOf([&] { pae::models::loadStyleGan2(misshaped, "gen.pt", torch::kCPU); });
        QVERIFY2(msg.contains("g_ema.convs.1.conv.modulation.bias") && msg.contains("got [5]") && msg.contains("gen.pt"),
                 qPrintable(msg));
        auto extra = tensors;
        extra["g_ema.convs.1.extra"] = torch::zeros({1});
        QVERIFY(errorOf([&] { pae::models::loadStyleGan2(extra, "gen.pt", torch::kCPU); }).contains("g_ema.convs.1.extra"));
        auto badKernel = tensors;
        badKernel["g_ema.convs.0.conv.blur.kernel"] = torch::ones({4, 4});
        QVERIFY(errorOf([&] { pae::models::loadStyleGan2(badKernel, "gen.pt", torch::kCPU); }).contains("blur.kernel"));
        auto badAvg = tensors;
        badAvg["latent_avg"] = torch::zeros({31});
        QVERIFY(errorOf([&] { pae::models::loadStyleGan2(badAvg, "gen.pt", torch::kCPU); }).contains("latent_avg"));
    }

    void shouldRefuseAFile_withoutGEma()
    {
        pae::io::TensorMap tensors{{"g.style.1.weight", torch::zeros({4, 4})}, {"latent_avg", torch::zeros({4})}};
        const auto msg = errorOf([&] { pae::models::loadStyleGan2(tensors, "train-ckpt.pt", torch::kCPU); });
        QVERIFY2(msg.contains("train-ckpt.pt") && msg.contains("g_ema"), qPrintable(msg));
    }

    void shouldIgnoreTrainingState_andEstimateLatentAvg_whenAbsent()
    {
        auto tensors = pae::io::loadWeights(kFixture);
        tensors.erase("latent_avg");
        tensors["g.input.input"] = torch::zeros({1, 16, 4, 4});
        tensors["d.convs.0.0.weight"] = torch::zeros({3, 3});
        const auto a = pae::models::loadStyleGan2(tensors, "train.pt", torch::kCPU);
        const auto b = pae::models::loadStyleGan2(tensors, "train.pt", torch::kCPU);
        QCOMPARE(a.latentAvg.sizes(), (at::IntArrayRef{32}));
        QVERIFY(torch::equal(a.latentAvg, b.latentAvg));
        QVERIFY(torch::isfinite(a.latentAvg).all().item<bool>());
        QVERIFY(a.latentAvg.abs().sum().item<double>() > 0);
    }
};

QTEST_GUILESS_MAIN(TestStyleGan2)
#include "tst_stylegan2.moc"
