#include "core/edit/optimization.h"

#include "core/edit/edit_loop.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <torch/torch.h>

#include <memory>

namespace pae::detail {

OptimizationOutcome optimizeLatent(const LatentOptimization& run)
{
    if (!run.parameter.defined() || !run.lossAndBackward)
        throw Error("optimization: no parameter or no loss was given");
    if (run.switchAt >= 0 && !run.switchTo)
        throw Error("optimization: a switch step without the switch");
    torch::AutoGradMode gradients(true); // whatever the caller's mode: the latent is optimized
    auto latentOf = [&run](const torch::Tensor& p) { return run.latentOf ? run.latentOf(p) : p; };

    torch::Tensor parameter = run.parameter;
    auto optimizer = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{parameter},
                                                          torch::optim::AdamOptions(run.learningRate));
    torch::Tensor lastGood = latentOf(parameter).detach().clone();
    OptimizationOutcome outcome;
    auto stop = [&outcome](int step, const std::string& what) {
        outcome.stopReason = "step " + std::to_string(step + 1) + ": " + what +
                             " became NaN or Inf; stopped and kept the last good result";
        log::warn("{}", outcome.stopReason);
    };

    for (int step = 0; step < run.steps; ++step) {
        if (run.cancelRequested && run.cancelRequested()) {
            outcome.cancelled = true;
            outcome.stopReason = "cancelled at step " + std::to_string(step);
            break;
        }
        if (step == run.switchAt) {
            parameter = run.switchTo(parameter.detach());
            optimizer = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{parameter},
                                                             torch::optim::AdamOptions(run.learningRate));
        }
        const bool secondPhase = run.switchAt >= 0 && step >= run.switchAt;
        const int phaseStart = secondPhase ? run.switchAt : 0;
        const int phaseSteps = secondPhase ? run.steps - run.switchAt : (run.switchAt >= 0 ? run.switchAt : run.steps);
        const double lr = scheduledLearningRate(run.learningRate, step - phaseStart, phaseSteps);
        static_cast<torch::optim::AdamOptions&>(optimizer->param_groups()[0].options()).lr(lr);

        optimizer->zero_grad();
        const torch::Tensor loss = run.lossAndBackward(parameter, step);
        if (!torch::isfinite(loss).all().item<bool>()) {
            stop(step, "the " + run.lossName);
            break;
        }
        lastGood = latentOf(parameter).detach().clone();
        if (run.afterLoss)
            run.afterLoss(step);
        optimizer->step();
        if (!torch::isfinite(latentOf(parameter).detach()).all().item<bool>()) {
            stop(step, "the latent");
            break;
        }
        outcome.stepsRun = step + 1;
        if (run.afterStep)
            run.afterStep(outcome.stepsRun);
    }
    outcome.latent = outcome.stopReason.empty() || outcome.cancelled ? latentOf(parameter).detach() : lastGood;
    return outcome;
}

} // namespace pae::detail
