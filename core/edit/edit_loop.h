#pragma once
// The pieces of one optimization step, shared by EditJob and the benchmark so that what
// is measured is what runs.
#include "core/edit/types.h"
#include "core/models/stylegan2.h"

#include <torch/types.h>

#include <functional>
#include <vector>

namespace pae::detail {

struct StepTimes {
    double generatorMs = 0;
    double clipMs = 0;
    double identityMs = 0; // the identity net's forward, when the term is on
    double backwardMs = 0;
    double optimizerMs = 0;
};

struct LossTerms {
    torch::Tensor images;   // [L,3,R,R] generator range, what the step rendered
    torch::Tensor total;    // [L]
    torch::Tensor clipLoss; // [L]: 1 − cos(E_I(G(w)), T)
    torch::Tensor l2;       // [L]: ‖w − w0‖²
    torch::Tensor identity; // [L]: 1 − cos(R(G(w)), R(G(w0))); undefined without the identity term
};

struct LossSetup {
    models::Generator generator{nullptr};
    std::function<torch::Tensor(const torch::Tensor&)> embedImages; // generator images → CLIP features
    torch::Tensor w0;                                               // [1,n,d]
    torch::Tensor targets;                                          // [L,d], normalized
    double l2Weight = 0;
    int64_t stopResolution = 0; // 0: full resolution
    // The identity term, when an identity model is loaded and its weight is > 0.
    std::function<torch::Tensor(const torch::Tensor&)> embedIdentity; // generator images → unit embeddings
    torch::Tensor identitySource;                                     // [1,e]: R(G(w0)) at stopResolution
    double identityWeight = 0;
};

// Forward pass of the loss; fills generator and CLIP time when `times` is given.
LossTerms computeLoss(const LossSetup& setup, const torch::Tensor& w, StepTimes* times = nullptr);

// Forward and backward of the loss for a batch of latents [L,n,d] (a leaf that requires
// grad), `chunk` batch entries at a time (0: all at once). Gradients accumulate into
// w.grad exactly as one batched backward would; the returned terms are detached and cover
// the whole batch. Chunks trade nothing in the result, only speed (lambdaChunkFor).
LossTerms lossAndBackward(const LossSetup& setup, const torch::Tensor& w, int64_t chunk, StepTimes* times = nullptr);

// How many λ of a sweep to run through the models at once (0: all), for a generator
// optimized at `resolution` pixels. Measured on a 2-core CPU (README, "Sweeps on CPU"):
// with real-size models (256² and up) one λ at a time is cheaper, since a batch no longer
// fits the caches (4 λ: 25.6 s in turn, 26.6 s batched per step; 2 λ: 11.5 s against
// 12.9 s); with the built-in 64² models batching is cheaper, since small operations cost
// more in overhead than in arithmetic (4 λ: 152–169 ms batched, 191–215 ms in turn). On
// CUDA always all at once, where a batch fills the device.
int64_t lambdaChunkFor(const torch::Device& device, int64_t resolution);
constexpr int64_t kInTurnFromResolution = 128;

// Learning rate at `step` of `steps`: a short linear warm-up (5%) and a cosine ramp-down
// over the last 25%, as in StyleCLIP's latent optimization.
double scheduledLearningRate(double base, int step, int steps);

// The generator resolution for the "clip" mode: the skip output at 256², or the full
// size when the generator is smaller than that.
int64_t clipModeResolution(const models::StyleGan2Config& config);

// What Adam moves in an edit of `batch` latents that start at `start` [1,n,d]: every row of
// W+ on its own (the parameter is the latent itself, latentOf empty), or an offset Δw
// added to the rows in `layers` only (empty: all), one Δw per row or, with `shared`, one
// for all of them. latentOf maps the parameter to the W+ latent [batch,n,d].
struct LatentMove {
    torch::Tensor parameter;
    std::function<torch::Tensor(const torch::Tensor&)> latentOf;
};
LatentMove latentMove(const torch::Tensor& start, int64_t batch, const std::vector<int>& layers, bool shared);

// Generator-range images [N,3,H,W] → preview frames, area-shrunk to at most previewSize.
std::vector<ImageRGB> previewFrames(const torch::Tensor& images, int previewSize);

} // namespace pae::detail
