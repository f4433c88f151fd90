// Stage 4: the attribute regressor, supervised on freshly rendered faces of both kinds
// (the world's sampler and generator latents), mildly augmented so that it reads the
// generator's slightly soft images as it reads the renderer's.
#include "core/synthface/regressor.h"
#include "core/synthface/train.h"
#include "core/synthface/train_data.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <iomanip>
#include <sstream>

namespace pae::synthface {

void trainRegressor(const std::filesystem::path& file, const RegressorTrainOptions& o, const TrainLog& log)
{
    AttributeRegressor regressor{nullptr};
    {
        std::lock_guard<std::mutex> lock(defaultGeneratorLock());
        torch::manual_seed(stageSeed(o.seed, 20));
        regressor = AttributeRegressor();
    }
    regressor->train();
    torch::optim::AdamW optimizer(regressor->parameters(),
                                  torch::optim::AdamWOptions(o.lr).betas({0.9, 0.99}).weight_decay(1e-4));
    std::mt19937_64 rng(stageSeed(o.seed, 21));
    auto gen = at::detail::createCPUGenerator(stageSeed(o.seed, 22));
    const int64_t warmup = std::max<int64_t>(1, o.steps / 50);
    StepReporter reporter("regressor", o.steps, log);
    double lossSum = 0;
    int64_t seen = 0;
    for (int64_t step = 1; step <= o.steps; ++step) {
        const double lr = warmupCosine(step, o.steps, warmup, o.lr, 0.02);
        for (auto& g : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        const FaceBatch faces = renderMixedFaces(rng, gen, int(o.batch), kTrainImageSize, kLatentDim);
        const auto loss = AttributeRegressorImpl::loss(regressor->forward(augmentImages(faces.images, gen)),
                                                       faces.attributes);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw Error("regressor: the loss became " + std::to_string(value) + " at step " + std::to_string(step));
        lossSum += value;
        ++seen;
        if (reporter.due(step)) {
            std::ostringstream v;
            v << std::fixed << std::setprecision(4) << "loss " << lossSum / seen << " lr " << std::scientific
              << std::setprecision(2) << lr;
            reporter.report(step, v.str());
            lossSum = 0;
            seen = 0;
        }
    }
    regressor->eval();
    saveRegressor(regressor, file);
    loadUnderDefaultGeneratorLock([&] { return loadRegressor(file, torch::kCPU); });
    log("regressor: wrote " + file.string() + " (" + std::to_string(std::filesystem::file_size(file) / 1024) + " KiB)");
}

} // namespace pae::synthface
