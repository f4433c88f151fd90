#pragma once
// Training data for the built-in SynthFace models: faces rendered on the fly (a 64² face
// takes under a millisecond), either from the world's own sampler or from generator
// latents through attributesFromLatent, plus the mild augmentations that teach CLIP and
// the regressor to overlook a generator's small imperfections.
#include "core/synthface/attributes.h"

#include <torch/types.h>

#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

namespace pae::synthface {

struct FaceBatch {
    torch::Tensor images;               // [N,3,S,S] float32 in [0,1]
    std::vector<Attributes> attributes; // per image
    torch::Tensor z;                    // [N,dim] for latent faces; undefined for sampled ones
};

// Renders faces with these attributes.
FaceBatch renderFaces(std::vector<Attributes> attributes, int size);
// Faces of the world's sampler, each from a seed drawn from rng.
FaceBatch renderSampledFaces(std::mt19937_64& rng, int count, int size);
// How a latent face is drawn: Rounded as its captions describe it (attributesFromLatent:
// what CLIP and the regressor learn from), Graded as the generator draws it
// (gradedAttributesFromLatent: amounts and blended colours).
enum class LatentLook { Rounded, Graded };
// The faces that latents z [N,dim] stand for.
FaceBatch renderLatentFaces(const torch::Tensor& z, int size, LatentLook look = LatentLook::Rounded);
// Both kinds, half each (latent faces first), z drawn from gen.
FaceBatch renderMixedFaces(std::mt19937_64& rng, at::Generator& gen, int count, int size, int64_t latentDim);

// Appends b's faces to a (images concatenated; z kept only when both have it).
FaceBatch concatBatches(const FaceBatch& a, const FaceBatch& b);

// Images [N,3,S,S] in [0,1], as the generator's range [-1,1] and back.
inline torch::Tensor unitToGenerator(const torch::Tensor& x) { return x * 2.0 - 1.0; }

struct AugmentOptions {
    double blurProbability = 0.5; // a 3×3 Gaussian with σ uniform in (0, maxBlurSigma]
    double maxBlurSigma = 0.8;
    double maxNoiseStd = 0.03;    // additive Gaussian noise, std uniform in [0, max]
    double brightness = 0.06;     // ± added
    double contrast = 0.1;        // × (1 ± c) about the image mean
    double saturation = 0.12;     // × (1 ± s) away from grey
};

// Per-image random blur, noise and colour jitter, clamped to [0,1]; deterministic for gen.
torch::Tensor augmentImages(const torch::Tensor& images01, at::Generator& gen, const AugmentOptions& options = {});

// LibTorch's default CPU generator is global and initializes every module's weights: a
// stage holds this lock while it seeds it and builds its model, so that stages running
// side by side never interleave their draws and every model is the same for a seed.
std::mutex& defaultGeneratorLock();
// Loading a model builds its modules, whose constructors draw initial weights from that
// generator before the file's replace them: stages load under the lock too, or a load in one
// lane shifts the draws of a model being seeded in the other (seen: CLIP weights differing
// between two runs of one seed, now and then).
template <class Load> auto loadUnderDefaultGeneratorLock(Load&& load)
{
    std::lock_guard<std::mutex> lock(defaultGeneratorLock());
    return load();
}

// A seed for stage `stage` of a run seeded with `seed` (splitmix64), so that the stages'
// streams stay apart and a change to one stage's draws never shifts another's.
uint64_t stageSeed(uint64_t seed, uint64_t stage);

} // namespace pae::synthface
