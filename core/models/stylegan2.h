#pragma once
// StyleGAN2 generator in the layout of the PyTorch port used by StyleCLIP and most
// editing tools (rosinality): "style.N" mapping network, "input.input", "conv1",
// "to_rgb1", "convs.N", "to_rgbs.N", "noises.noise_N". Module names equal the keys under
// the checkpoint's "g_ema" dict.
#include "core/io/tensor_map.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <filesystem>
#include <string>

namespace pae::models {

struct StyleGan2Config {
    int64_t size = 1024;
    int64_t styleDim = 512;
    int64_t nMlp = 8;
    int64_t channelMultiplier = 2;
    // Width of the 4²…32² layers (the port's 512). Above 32² the width is
    // channelMax·channelMultiplier·32/R, which is the port's table for channelMax = 512 and
    // lets small models (SynthFace, test fixtures) shrink every layer.
    int64_t channelMax = 512;

    int64_t log2Size() const;
    int64_t channels(int64_t resolution) const;
    int64_t numLatents() const { return log2Size() * 2 - 2; }
    // Detected from a g_ema state dict (keys without the "g_ema." prefix).
    static StyleGan2Config fromTensors(const io::TensorMap& gEma);
    std::string describe() const;
};

class GeneratorImpl : public torch::nn::Module {
public:
    explicit GeneratorImpl(const StyleGan2Config& config);
    // z [N,styleDim] → w [N,styleDim] (pixel norm, then the mapping MLP).
    torch::Tensor mapping(const torch::Tensor& z);
    // W+ [N,numLatents,styleDim] → image [N,3,R,R] in the generator's range (about
    // [-1,1]), with the stored constant noise. stopResolution (0 = full) returns the
    // skip-RGB image at that resolution (a power of two ≥ 4).
    torch::Tensor synthesize(const torch::Tensor& wPlus, int64_t stopResolution = 0);
    const StyleGan2Config& config() const { return m_config; }

private:
    StyleGan2Config m_config;
    struct Modules;
    std::shared_ptr<Modules> m;
};
TORCH_MODULE(Generator);

struct StyleGan2 {
    StyleGan2Config config;
    Generator generator{nullptr};
    torch::Tensor latentAvg; // [styleDim]: the checkpoint's, or a mean of mapped samples
    std::string hash;

    // W [N,styleDim] or W+ [N,numLatents,styleDim] → W+.
    torch::Tensor toWPlus(const torch::Tensor& w) const;
    // w ← latentAvg + psi·(w − latentAvg)
    torch::Tensor truncate(const torch::Tensor& w, double psi) const;
    // Deterministic z for a seed (CPU generator, then moved): [count, styleDim].
    torch::Tensor zFromSeed(uint64_t seed, int64_t count = 1) const;
};

// A .pt checkpoint ({"g_ema": state dict, "latent_avg": tensor}) or a .safetensors with the
// same keys ("g_ema.…", "latent_avg"). Strict; errors name the key and shapes.
StyleGan2 loadStyleGan2(const std::filesystem::path& path, torch::Device device);
// The same from tensors already read; `source` names them in errors.
StyleGan2 loadStyleGan2(const io::TensorMap& tensors, const std::string& source, torch::Device device);

} // namespace pae::models
