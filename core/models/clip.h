#pragma once
// CLIP (ViT image tower + causal text transformer) with module names equal to the
// Hugging Face keys, so loading a model.safetensors is a lookup. HF spells the vision
// pre-norm "pre_layrnorm"; we keep that spelling.
#include "core/io/tensor_map.h"
#include "core/text/clip_tokenizer.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <filesystem>
#include <string>
#include <vector>

namespace pae::models {

struct ClipTextConfig {
    int64_t vocabSize = 49408;
    int64_t hiddenSize = 512;
    int64_t intermediateSize = 2048;
    int64_t numLayers = 12;
    int64_t numHeads = 8;
    int64_t maxPositions = 77;
    double layerNormEps = 1e-5;
    std::string hiddenAct = "quick_gelu"; // "quick_gelu" (x·σ(1.702x)) or "gelu" (erf)
};

struct ClipVisionConfig {
    int64_t hiddenSize = 768;
    int64_t intermediateSize = 3072;
    int64_t numLayers = 12;
    int64_t numHeads = 12;
    int64_t imageSize = 224;
    int64_t patchSize = 32;
    double layerNormEps = 1e-5;
    std::string hiddenAct = "quick_gelu";
};

struct ClipConfig {
    ClipTextConfig text;
    ClipVisionConfig vision;
    int64_t projectionDim = 512;

    // From an HF config.json; missing fields take ViT-B/32's values, wrong types are errors.
    static ClipConfig fromJsonFile(const std::filesystem::path& path);
    // From tensor shapes alone (head counts from hidden/64, as CLIP's models do).
    static ClipConfig fromTensors(const io::TensorMap& tensors);
    std::string describe() const;
};

class ClipModelImpl : public torch::nn::Module {
public:
    explicit ClipModelImpl(const ClipConfig& config);
    // ids [N,L] int64, padded after the end token; returns projected features [N,P]
    // (not normalized), pooled at the end-of-text token (the highest id in each row).
    torch::Tensor encodeText(const torch::Tensor& ids);
    // pixels [N,3,S,S] already preprocessed; returns projected features [N,P].
    torch::Tensor encodeImage(const torch::Tensor& pixels);
    const ClipConfig& config() const { return m_config; }

private:
    ClipConfig m_config;
    struct Modules;
    std::shared_ptr<Modules> m;
};
TORCH_MODULE(ClipModel);

struct Clip {
    ClipConfig config;
    ClipModel model{nullptr};
    text::ClipTokenizer tokenizer;
    std::string hash; // identifies the weights, for caches
    // [N, maxPositions] int64 on the model's device, padded with 0 after the end token.
    torch::Tensor tokenize(const std::vector<std::string>& texts) const;
};

// A Hugging Face CLIP folder: config.json, model.safetensors (or pytorch_model.bin),
// vocab.json, merges.txt. Loading is strict; errors name the file and the key.
Clip loadClip(const std::filesystem::path& dir, torch::Device device);

} // namespace pae::models
