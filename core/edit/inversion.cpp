#include "core/edit/inversion.h"

#include "core/edit/edit_loop.h"
#include "core/edit/model_set_impl.h"
#include "core/edit/optimization.h"
#include "core/io/image.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"
#include "core/util/torch_errors.h"

#include <torch/torch.h>

#include <cmath>

namespace pae {
namespace {

namespace F = torch::nn::functional;

// [1,3,H,W] in [0,1] → a centred square, resized to side × side.
torch::Tensor squareAt(torch::Tensor image, int64_t side, bool* cropped)
{
    const int64_t h = image.size(2), w = image.size(3);
    *cropped = h != w;
    if (h != w) {
        const int64_t s = std::min(h, w);
        image = image.slice(2, (h - s) / 2, (h - s) / 2 + s).slice(3, (w - s) / 2, (w - s) / 2 + s);
    }
    if (image.size(2) == side)
        return image;
    // Area averaging when shrinking; bicubic when enlarging (a small input is blurry either way).
    const bool shrink = image.size(2) > side;
    auto options = F::InterpolateFuncOptions().size(std::vector<int64_t>{side, side});
    if (shrink)
        options.mode(torch::kArea);
    else
        options.mode(torch::kBicubic).align_corners(false);
    return F::interpolate(image, options).clamp(0, 1);
}

// The w, among the average face and `count` faces mapped from fixed seeds, whose image is
// closest to the target: [1,styleDim].
torch::Tensor closestStart(const models::StyleGan2& gan, const torch::Tensor& target, int64_t stop, int count,
                           torch::Device device)
{
    torch::NoGradGuard noGrad;
    models::Generator generator = gan.generator; // a handle; the shared model is not changed
    auto seeds = at::detail::createCPUGenerator(20221007);
    const torch::Tensor z = torch::randn({count, gan.config.styleDim}, seeds, torch::kFloat32).to(device);
    torch::Tensor candidates = torch::cat({gan.latentAvg.to(device).reshape({1, -1}), generator->mapping(z)});
    torch::Tensor errors = torch::empty({candidates.size(0)});
    constexpr int64_t kChunk = 8;
    for (int64_t i = 0; i < candidates.size(0); i += kChunk) {
        const auto chunk = candidates.slice(0, i, std::min(i + kChunk, candidates.size(0)));
        const auto images = detail::generatorToUnit(generator->synthesize(gan.toWPlus(chunk), stop));
        errors.slice(0, i, i + chunk.size(0)).copy_((images - target).square().mean({1, 2, 3}).cpu());
    }
    return candidates[errors.argmin().item<int64_t>()].reshape({1, -1}).clone();
}

float psnrOf(const torch::Tensor& mse) { return float(-10.0 * std::log10(std::max(mse.item<double>(), 1e-12))); }

} // namespace

void InversionRequest::validate() const
{
    auto bad = [](const std::string& field, const std::string& why) { throw UsageError(field + ": " + why); };
    if (image.empty())
        bad("image", "no image was given");
    if (!image.isValid())
        bad("image", "the pixel buffer does not match " + std::to_string(image.width) + "×" +
                         std::to_string(image.height) + " RGB");
    if (std::min(image.width, image.height) < 16)
        bad("image", std::to_string(image.width) + "×" + std::to_string(image.height) +
                         " is too small to hold a face (at least 16 pixels each way)");
    if (starts < 1 || starts > 4096)
        bad("starts", std::to_string(starts) + " is outside [1, 4096]");
    if (steps < 0 || steps > 100000)
        bad("steps", std::to_string(steps) + " is outside [0, 100000] (0 only with an encoder)");
    if (!(wShare >= 0.f && wShare <= 1.f))
        bad("w-share", std::to_string(wShare) + " is outside [0, 1]");
    if (!(learningRate > 0.f && learningRate <= 10.f))
        bad("lr", std::to_string(learningRate) + " is outside (0, 10]");
    if (!(perceptualWeight >= 0.f && perceptualWeight <= 1000.f))
        bad("perceptual", std::to_string(perceptualWeight) + " is outside [0, 1000]");
    if (!(meanWeight >= 0.f && meanWeight <= 1000.f))
        bad("mean-reg", std::to_string(meanWeight) + " is outside [0, 1000]");
    if (previewEvery < 0)
        bad("preview-every", "must be 0 (no previews) or more");
    if (previewSize < 16 || previewSize > 4096)
        bad("preview-size", std::to_string(previewSize) + " is outside [16, 4096]");
}

InversionJob::InversionJob(std::shared_ptr<const ModelSet> models) : m_models(std::move(models))
{
    if (!m_models)
        throw Error("inversion: no models are loaded");
}

InversionResult InversionJob::run(const InversionRequest& request, const InversionCallbacks& callbacks)
try {
    request.validate();
    const Stopwatch clock;
    const detail::ModelSetImpl& M = detail::implOf(*m_models);
    const models::StyleGan2& gan = M.gan;
    models::Generator generator = gan.generator;

    // Compared at the "clip" resolution (the 256² skip output of a large generator): the
    // pixel error of a 1024² face is dominated by what 256² already shows, at 1/16 the cost.
    const int64_t stop = detail::clipModeResolution(gan.config);
    const int64_t side = stop > 0 ? stop : gan.config.size;
    InversionResult result;
    result.resolution = int(side);
    const torch::Tensor target =
        squareAt(io::imageToTensor(request.image), side, &result.cropped).to(M.device, torch::kFloat32);

    const bool encode = M.encoder && request.useEncoder;
    if (request.steps == 0 && !encode)
        throw UsageError("steps: 0 optimizes nothing; without an encoder the inversion needs at least one step");
    int wSteps = int(std::lround(double(request.steps) * request.wShare));
    torch::Tensor w, wPlus;
    if (encode) {
        torch::NoGradGuard noGrad;
        bool cropped = false;
        const auto face =
            squareAt(io::imageToTensor(request.image), M.encoder->inputSize, &cropped).to(M.device, torch::kFloat32);
        wPlus = M.encoder->encode(face * 2.0 - 1.0).clone();
        if (!torch::isfinite(wPlus).all().item<bool>())
            throw Error("the encoder's latent is NaN or Inf: the encoder file is broken");
        result.encoded = true;
        result.encodedPsnr =
            psnrOf((detail::generatorToUnit(generator->synthesize(wPlus, stop)) - target).square().mean().cpu());
        result.encodeSeconds = clock.seconds();
        wPlus.set_requires_grad(true);
        wSteps = 0;
    } else {
        w = closestStart(gan, target, stop, request.starts, M.device).set_requires_grad(true);
    }
    // The photo as CLIP sees it, once (the perceptual term compares features with it).
    torch::Tensor targetFeatures;
    if (request.perceptualWeight > 0.f) {
        torch::NoGradGuard noGrad;
        targetFeatures = torch::nn::functional::normalize(M.embedGeneratorImages(target * 2.0 - 1.0),
                                                          torch::nn::functional::NormalizeFuncOptions().dim(-1));
    }
    const torch::Tensor meanLatent = gan.latentAvg.to(M.device).reshape({1, 1, -1});

    // Optimized in W (one w for every layer) for the first wSteps, then in W+, where every
    // layer continues from the shared w on its own. With the encoder, in W+ from the start.
    detail::LatentOptimization run;
    run.steps = request.steps;
    run.learningRate = request.learningRate;
    run.parameter = encode ? wPlus : w;
    if (!encode) {
        run.switchAt = wSteps < request.steps ? wSteps : -1;
        run.switchTo = [&gan](const torch::Tensor& shared) {
            return gan.toWPlus(shared).clone().set_requires_grad(true);
        };
        run.latentOf = [&gan](const torch::Tensor& p) { return p.dim() == 2 ? gan.toWPlus(p) : p; };
    }
    run.lossName = "pixel error";
    torch::Tensor images;
    float psnr = 0;
    run.lossAndBackward = [&](const torch::Tensor& p, int) {
        const torch::Tensor latent = run.latentOf ? run.latentOf(p) : p;
        images = generator->synthesize(latent, stop);
        const torch::Tensor mse = (detail::generatorToUnit(images) - target).square().mean();
        torch::Tensor loss = mse;
        if (request.perceptualWeight > 0.f) {
            const torch::Tensor features = torch::nn::functional::normalize(
                M.embedGeneratorImages(images), torch::nn::functional::NormalizeFuncOptions().dim(-1));
            loss = loss + request.perceptualWeight * (1.0 - (features * targetFeatures).sum(-1).mean());
        }
        if (request.meanWeight > 0.f)
            loss = loss + request.meanWeight * (latent - meanLatent).square().mean();
        psnr = psnrOf(mse.detach().cpu());
        loss.backward();
        return torch::tensor(psnr); // psnrOf carries a NaN or Inf error through
    };
    run.cancelRequested = callbacks.cancelRequested;
    run.afterLoss = [&](int step) {
        if (callbacks.preview && request.previewEvery > 0 && step % request.previewEvery == 0)
            callbacks.preview(step, detail::previewFrames(images, request.previewSize)[0]);
    };
    run.afterStep = [&](int stepsRun) {
        if (callbacks.progress)
            callbacks.progress({stepsRun, request.steps, psnr, clock.seconds()});
    };
    const detail::OptimizationOutcome outcome = detail::optimizeLatent(run);
    result.stepsRun = outcome.stepsRun;
    result.cancelled = outcome.cancelled;
    result.stopReason = outcome.stopReason;
    const torch::Tensor& final = outcome.latent;

    torch::NoGradGuard noGrad;
    result.psnr = psnrOf((detail::generatorToUnit(generator->synthesize(final, stop)) - target).square().mean().cpu());
    const torch::Tensor full = generator->synthesize(final, 0);
    result.latent = M.tensorToLatent(final);
    result.image = io::tensorToImage(detail::generatorToUnit(full).clamp(0, 1).cpu()[0]);
    result.seconds = clock.seconds();
    if (callbacks.preview && !result.cancelled)
        callbacks.preview(result.stepsRun, detail::previewFrames(full, request.previewSize)[0]);
    return result;
} catch (...) {
    rethrowForUser("the inversion");
}

} // namespace pae
