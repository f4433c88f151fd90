// Stage 3: the tiny StyleGAN2, trained supervised rather than adversarially: for
// z ~ N(0, I) it must draw render(gradedAttributesFromLatent(z)). One w for every layer (W
// space), constant seeded noise, L1 + MSE at full and half resolution, plus the trained
// regressor's attribute loss on what it draws. Coarse to fine: the first steps train only
// the 16² and then the 32² skip output (see generatorStepResolution).
#include "core/io/safetensors.h"
#include "core/synthface/regressor.h"
#include "core/synthface/train.h"
#include "core/synthface/train_data.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <sstream>

namespace pae::synthface {
namespace {

namespace fs = std::filesystem;

// The mapping layers scale their weights by lr_mul = 0.01 (the port's choice for GANs),
// which under Adam makes them learn a hundred times slower than the synthesis layers;
// supervised training has no adversary to keep in step with, so this undoes it.
// GeneratorTrainOptions::mappingLrScale is that factor.

torch::Tensor reconstructionLoss(const torch::Tensor& out, const torch::Tensor& target)
{
    const auto diff = out - target;
    const auto half = torch::avg_pool2d(diff, 2);
    return diff.abs().mean() + diff.square().mean() + half.abs().mean();
}

// An image [N,3,s,s] as the regressor reads it: at the training size.
torch::Tensor atTrainSize(const torch::Tensor& image)
{
    if (image.size(-1) == kTrainImageSize)
        return image;
    namespace F = torch::nn::functional;
    return F::interpolate(image, F::InterpolateFuncOptions()
                                     .size(std::vector<int64_t>{kTrainImageSize, kTrainImageSize})
                                     .mode(torch::kBilinear)
                                     .align_corners(false));
}

} // namespace

int64_t generatorStepResolution(const GeneratorTrainOptions& o, int64_t step)
{
    const auto steps16 = static_cast<int64_t>(double(o.steps) * o.share16);
    const auto steps32 = static_cast<int64_t>(double(o.steps) * o.share32);
    if (step <= steps16)
        return 16;
    if (step <= steps16 + steps32)
        return 32;
    return kTrainImageSize;
}

models::StyleGan2Config synthfaceGeneratorConfig()
{
    models::StyleGan2Config c;
    c.size = kTrainImageSize;
    c.styleDim = kLatentDim;
    // One mapping layer: the synthesis layers do the nonlinear work better than a narrow
    // (16-wide) mapping stack learns it. Same 4,100-step coarse-to-fine trial, PSNR on 512
    // held-out latents: 8 layers 16.42 dB, 4 layers 17.11, 2 layers 17.39, 1 layer 17.73
    // (beard faces 15.5 → 16.6 dB); 2 layers with W 64 wide 17.53. The shipped generator
    // lost about 3 dB in its 4-layer mapping: inverted into W, its own synthesis drew the
    // same held-out faces at 22.0 dB against 19.1 from mapping(z).
    c.nMlp = 1;
    c.channelMax = 64;
    c.channelMultiplier = 1;
    return c;
}

void trainGenerator(const fs::path& file, const fs::path& regressorFile, const GeneratorTrainOptions& o,
                    const TrainLog& log)
{
    const models::StyleGan2Config config = synthfaceGeneratorConfig();
    AttributeRegressor regressor{nullptr};
    if (!(o.share16 >= 0 && o.share32 >= 0 && o.share16 + o.share32 < 1))
        throw Error("generator: the coarse shares of the steps (16²: " + std::to_string(o.share16) + ", 32²: " +
                    std::to_string(o.share32) + ") must be non-negative and leave full-size steps");
    if (o.attributeWeight > 0) {
        regressor = loadUnderDefaultGeneratorLock([&] { return loadRegressor(regressorFile, torch::kCPU); });
        regressor->eval();
        for (auto& p : regressor->parameters())
            p.requires_grad_(false);
    }
    models::Generator generator{nullptr};
    {
        std::lock_guard<std::mutex> lock(defaultGeneratorLock());
        torch::manual_seed(stageSeed(o.seed, 10)); // weights, the constant input and the noise buffers
        generator = models::Generator(config);
    }
    generator->train();
    log("generator: " + config.describe());

    std::vector<torch::Tensor> mapping, synthesis;
    for (auto& item : generator->named_parameters())
        (item.key().rfind("style.", 0) == 0 ? mapping : synthesis).push_back(item.value());
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(synthesis, std::make_unique<torch::optim::AdamOptions>(
                                       torch::optim::AdamOptions(o.lr).betas({0.9, 0.99})));
    groups.emplace_back(mapping, std::make_unique<torch::optim::AdamOptions>(
                                     torch::optim::AdamOptions(o.lr * o.mappingLrScale).betas({0.9, 0.99})));
    torch::optim::Adam optimizer(groups, torch::optim::AdamOptions(o.lr));
    const double scales[2] = {1.0, o.mappingLrScale};

    auto gen = at::detail::createCPUGenerator(stageSeed(o.seed, 11));
    const int64_t warmup = std::max<int64_t>(1, o.steps / 50);
    StepReporter reporter("generator", o.steps, log);
    double lossSum = 0, mseSum = 0;
    int64_t seen = 0;
    int64_t lastResolution = 0;
    int64_t firstFullStep = 1;
    while (generatorStepResolution(o, firstFullStep) < kTrainImageSize)
        ++firstFullStep;
    for (int64_t step = 1; step <= o.steps; ++step) {
        const double lr = warmupCosine(step, o.steps, warmup, o.lr, 0.03);
        for (size_t g = 0; g < optimizer.param_groups().size(); ++g)
            static_cast<torch::optim::AdamOptions&>(optimizer.param_groups()[g].options()).lr(lr * scales[g]);

        const FaceBatch faces = renderLatentFaces(torch::randn({o.batch, config.styleDim}, gen, torch::kFloat32),
                                                  kTrainImageSize, LatentLook::Graded);
        // A coarse step stops at a lower skip output and compares it with the target
        // averaged down to that size: it costs about a third (16²) or under half (32²) of a full
        // step, and the layout, colours and the binary attributes are all decided there.
        // At equal time on this machine, 16²/32²/64² steps in the shares 49/37/15% reached
        // 17.5 dB where 64² steps only reached 16.1 dB (and 32²/64² at 77/23%, 17.1 dB).
        const int64_t resolution = generatorStepResolution(o, step);
        if (resolution != lastResolution) {
            log("generator: training the " + std::to_string(resolution) + "² output from step " +
                std::to_string(step));
            lastResolution = resolution;
            lossSum = mseSum = 0;
            seen = 0;
        }
        const int64_t factor = kTrainImageSize / resolution;
        const auto full = unitToGenerator(faces.images);
        const auto target = factor > 1 ? torch::avg_pool2d(full, factor) : full;
        const auto w = generator->mapping(faces.z);
        const auto wPlus = w.unsqueeze(1).expand({w.size(0), config.numLatents(), w.size(1)});
        const auto out = generator->synthesize(wPlus, resolution == kTrainImageSize ? 0 : resolution);
        // The attribute loss asks for what the pixel loss learns last: the few pixels that
        // carry expression, eye and mouth shape, read as the regressor reads them.
        // It keeps its full weight through the coarse steps and fades out along a cosine over
        // the full-size ones, so that the last steps are pixels only and wash out what the
        // generator drew just to please this one regressor (smears it reads as eyes). Faded
        // over the whole run instead, it was all but gone (< 10%) by the time the eyes are
        // drawn at 64²: the regressor read eye size from those faces with R² −0.07.
        auto loss = reconstructionLoss(out, target);
        const double fade = resolution < kTrainImageSize
                                ? 1.0
                                : 0.5 * (1.0 + std::cos(3.141592653589793 * double(step - firstFullStep) /
                                                        double(o.steps - firstFullStep + 1)));
        if (o.attributeWeight > 0)
            loss = loss + o.attributeWeight * fade *
                              AttributeRegressorImpl::loss(regressor->forward((atTrainSize(out) + 1) * 0.5), faces.attributes);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw Error("generator: the loss became " + std::to_string(value) + " at step " + std::to_string(step));
        lossSum += value;
        // MSE in [0,1] units, the one PSNR is made of.
        mseSum += (out.detach() - target).square().mean().item<double>() / 4.0;
        ++seen;
        if (reporter.due(step)) {
            const double mse = mseSum / seen;
            std::ostringstream v;
            v << std::fixed << std::setprecision(4) << "loss " << lossSum / seen << " psnr@" << resolution << " "
              << std::setprecision(2) << -10.0 * std::log10(mse) << " dB lr " << std::scientific
              << std::setprecision(2) << lr;
            reporter.report(step, v.str());
            lossSum = mseSum = 0;
            seen = 0;
        }
    }

    generator->eval();
    torch::Tensor latentAvg;
    {
        // The truncation centre, as the port estimates it: the mean of mapped samples.
        torch::NoGradGuard noGrad;
        latentAvg = generator->mapping(torch::randn({4096, config.styleDim}, gen, torch::kFloat32)).mean(0);
    }
    io::TensorMap tensors;
    for (const auto& item : generator->named_parameters())
        tensors.emplace("g_ema." + item.key(), item.value().detach().clone());
    for (const auto& item : generator->named_buffers())
        tensors.emplace("g_ema." + item.key(), item.value().detach().clone());
    tensors.emplace("latent_avg", latentAvg);
    io::saveSafetensors(file, tensors, {{"producer", "pae-cli synthface train"}, {"seed", std::to_string(o.seed)}});
    const auto loaded = loadUnderDefaultGeneratorLock([&] { return models::loadStyleGan2(file, torch::kCPU); });
    log("generator: wrote " + file.string() + " (" + std::to_string(fs::file_size(file) / 1024) +
        " KiB), reloaded: " + loaded.config.describe());
}

} // namespace pae::synthface
