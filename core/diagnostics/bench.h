#pragma once
// Where the time of one optimization step goes. Used by `pae-cli bench`; speed targets are
// checked with it, never with timed assertions in tests.
#include "core/edit/edit_loop.h"
#include "core/edit/model_set.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pae::detail {

struct PhaseTimes {
    double generatorMs = 0;
    double clipMs = 0;
    double identityMs = 0;
    double backwardMs = 0;
    double optimizerMs = 0;
    double stepMs = 0;
};

struct BenchModels {
    models::Generator generator{nullptr};
    std::function<torch::Tensor(const torch::Tensor&)> embedImages;
    models::StyleGan2Config generatorConfig;
    int64_t projectionDim = 0;
    // The identity term as an edit runs it (an identity model loaded, the default weight);
    // empty when there is none.
    std::function<torch::Tensor(const torch::Tensor&)> embedIdentity;
    double identityWeight = 0;
    torch::Device device{torch::kCPU};
    std::string description;
    std::shared_ptr<const ModelSet> owner; // keeps loaded models alive while the handles above are used
};

// The loaded models, as the benchmark drives them.
BenchModels benchModelsOf(std::shared_ptr<const ModelSet> models);

// Median per-phase times over `steps` timed steps (after one warm-up step) of the W+
// optimization at the given generator resolution (0 = full) with `lambdas` batch entries,
// run through the models `chunk` at a time (0: all at once; see lambdaChunkFor).
PhaseTimes benchSteps(const BenchModels& models, int64_t stopResolution, int lambdas, int steps, int64_t chunk = 0);

// One step of a photo's inversion (InversionJob): the pixel error of the generator's image
// at `stopResolution` (0 = full) against a fixed random picture, backward and Adam; with
// `perceptual` also CLIP's image-feature distance (InversionRequest::perceptualWeight).
// Median and min ms over `steps` timed steps after one warm-up.
struct InversionStepTimes {
    double medianMs = 0;
    double minMs = 0;
};
InversionStepTimes benchInversionSteps(const BenchModels& models, int64_t stopResolution, bool perceptual, int steps);

// One generator forward without gradients, what applying an edit at a new strength costs:
// at full resolution and at the preview resolution (the skip output; 0 = full).
struct RenderTimes {
    double fullMinMs = 0;
    double fullMedianMs = 0;
    double previewMinMs = 0;
    double previewMedianMs = 0;
};
RenderTimes benchRender(const BenchModels& models, int64_t previewResolution, int repeats);

// Cosine between CLIP's embedding of the full-resolution image and of the clip-mode
// (stopResolution) skip output, for `count` latents from the mapping network (seeds
// 0…count−1): what optimizing in "clip" mode trades against "full".
std::vector<double> clipVsFullCosine(const BenchModels& models, int64_t stopResolution, int count);

// The face networks with random weights in their real shapes: one forward and backward of
// ArcFace IR-SE50 at 112² (the identity term of one edit step) and one e4e forward at 256²
// (one photo encoded), min and median over `repeats` after a warm-up.
struct FaceNetTimes {
    double identityMinMs = 0;
    double identityMedianMs = 0;
    double encodeMinMs = 0;
    double encodeMedianMs = 0;
};
FaceNetTimes benchFaceNets(torch::Device device, int repeats);

// CLIP ViT-B/32 and StyleGAN2 config-f 1024² with random weights: the real shapes, no files.
BenchModels randomRealShapeModels(torch::Device device);

} // namespace pae::detail
