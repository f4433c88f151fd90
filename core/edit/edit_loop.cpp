#include "core/edit/edit_loop.h"

#include "core/edit/model_set_impl.h"
#include "core/io/image.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace pae::detail {
namespace {

double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

LossTerms computeLoss(const LossSetup& setup, const torch::Tensor& w, StepTimes* times)
{
    LossTerms terms;
    auto start = std::chrono::steady_clock::now();
    models::Generator generator = setup.generator;
    terms.images = generator->synthesize(w, setup.stopResolution);
    if (times)
        times->generatorMs += msSince(start);
    start = std::chrono::steady_clock::now();
    const auto features = setup.embedImages(terms.images);
    terms.clipLoss =
        1.0 - torch::nn::functional::cosine_similarity(
                  features, setup.targets, torch::nn::functional::CosineSimilarityFuncOptions().dim(1).eps(1e-8));
    if (times)
        times->clipMs += msSince(start);
    terms.l2 = (w - setup.w0).pow(2).sum({1, 2});
    terms.total = terms.clipLoss + setup.l2Weight * terms.l2;
    if (setup.embedIdentity && setup.identityWeight > 0) {
        start = std::chrono::steady_clock::now();
        terms.identity = 1.0 - (setup.embedIdentity(terms.images) * setup.identitySource).sum(1);
        terms.total = terms.total + setup.identityWeight * terms.identity;
        if (times)
            times->identityMs += msSince(start);
    }
    return terms;
}

LossTerms lossAndBackward(const LossSetup& setup, const torch::Tensor& w, int64_t chunk, StepTimes* times)
{
    const int64_t L = w.size(0);
    if (chunk <= 0 || chunk >= L) {
        LossTerms terms = computeLoss(setup, w, times);
        const auto start = std::chrono::steady_clock::now();
        terms.total.sum().backward();
        if (times)
            times->backwardMs += msSince(start);
        return LossTerms{terms.images.detach(), terms.total.detach(), terms.clipLoss.detach(), terms.l2.detach(),
                         terms.identity.defined() ? terms.identity.detach() : torch::Tensor()};
    }
    std::vector<torch::Tensor> images, total, clipLoss, l2, identity;
    for (int64_t k = 0; k < L; k += chunk) {
        const int64_t n = std::min(chunk, L - k);
        LossSetup part = setup;
        part.targets = setup.targets.narrow(0, k, n);
        LossTerms terms = computeLoss(part, w.narrow(0, k, n), times);
        const auto start = std::chrono::steady_clock::now();
        terms.total.sum().backward();
        if (times)
            times->backwardMs += msSince(start);
        images.push_back(terms.images.detach());
        total.push_back(terms.total.detach());
        clipLoss.push_back(terms.clipLoss.detach());
        l2.push_back(terms.l2.detach());
        if (terms.identity.defined())
            identity.push_back(terms.identity.detach());
    }
    return LossTerms{torch::cat(images), torch::cat(total), torch::cat(clipLoss), torch::cat(l2),
                     identity.empty() ? torch::Tensor() : torch::cat(identity)};
}

int64_t lambdaChunkFor(const torch::Device& device, int64_t resolution)
{
    return device.is_cpu() && resolution >= kInTurnFromResolution ? 1 : 0;
}

double scheduledLearningRate(double base, int step, int steps)
{
    const double t = steps > 0 ? double(step) / double(steps) : 0.0;
    const double rampDown = 0.25;
    const double rampUp = 0.05;
    double ramp = std::min(1.0, (1.0 - t) / rampDown);
    ramp = 0.5 - 0.5 * std::cos(ramp * M_PI);
    ramp *= std::min(1.0, t / rampUp + 1.0 / std::max(1, steps));
    return base * ramp;
}

int64_t clipModeResolution(const models::StyleGan2Config& config) { return config.size > 256 ? 256 : 0; }

LatentMove latentMove(const torch::Tensor& start, int64_t batch, const std::vector<int>& layers, bool shared)
{
    const int64_t rows = start.size(1);
    const auto base = start.repeat({batch, 1, 1}).detach();
    if (layers.empty() && !shared)
        return LatentMove{base.clone().set_requires_grad(true), {}};
    auto mask = torch::ones({1, rows, 1}, start.options());
    if (!layers.empty()) {
        mask.zero_();
        for (int r : layers)
            mask[0][r][0] = 1.0f;
    }
    LatentMove move;
    move.parameter = torch::zeros({batch, shared ? 1 : rows, start.size(2)}, start.options()).set_requires_grad(true);
    move.latentOf = [base, mask](const torch::Tensor& offset) { return base + mask * offset; };
    return move;
}

std::vector<ImageRGB> previewFrames(const torch::Tensor& images, int previewSize)
{
    torch::NoGradGuard noGrad;
    auto unit = generatorToUnit(images.detach()).clamp(0, 1);
    const int64_t side = unit.size(-1);
    if (side > previewSize)
        unit = torch::nn::functional::interpolate(unit, torch::nn::functional::InterpolateFuncOptions()
                                                            .size(std::vector<int64_t>{previewSize, previewSize})
                                                            .mode(torch::kArea));
    unit = unit.cpu();
    std::vector<ImageRGB> frames;
    for (int64_t i = 0; i < unit.size(0); ++i)
        frames.push_back(io::tensorToImage(unit[i]));
    return frames;
}

} // namespace pae::detail
