#pragma once
// The one latent-optimization loop of the engine: EditJob (CLIP loss towards the PAE
// targets) and InversionJob (pixel error to a photo) differ in their loss only. Here is what
// they share: the cancel poll, the learning-rate schedule, Adam, the check that the loss and
// the latent stay finite, the last good latent, and the final pick.
#include <torch/types.h>

#include <functional>
#include <string>

namespace pae::detail {

struct LatentOptimization {
    int steps = 0;
    double learningRate = 0;
    // The leaf tensor Adam moves (requires grad).
    torch::Tensor parameter;
    // At step `switchAt` (−1: never) the parameter is replaced by switchTo(parameter) and
    // Adam starts afresh on it: the inversion's move from W to W+. The learning-rate
    // schedule restarts there too (each phase warms up and ramps down on its own).
    int switchAt = -1;
    std::function<torch::Tensor(const torch::Tensor& parameter)> switchTo;
    // The W+ latent a parameter stands for (identity when empty): what is checked, kept and
    // returned.
    std::function<torch::Tensor(const torch::Tensor& parameter)> latentOf;
    // Forward and backward of one step; returns the step's loss value(s), detached, on the
    // CPU. A NaN or Inf among them stops the loop with the last good latent.
    std::function<torch::Tensor(const torch::Tensor& parameter, int step)> lossAndBackward;
    std::string lossName = "loss"; // named in the stop reason ("the pixel error became NaN")
    std::function<bool()> cancelRequested;
    // After a step's loss was found finite, before Adam moves the latent (previews).
    std::function<void(int step)> afterLoss;
    // After Adam moved the latent and it stayed finite: `stepsRun` steps are done.
    std::function<void(int stepsRun)> afterStep;
};

struct OptimizationOutcome {
    torch::Tensor latent; // detached: the last latent, or the last good one when a step failed
    int stepsRun = 0;
    bool cancelled = false;
    std::string stopReason; // empty when every step ran
};

OptimizationOutcome optimizeLatent(const LatentOptimization& run);

} // namespace pae::detail
