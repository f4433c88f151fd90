#pragma once
// The SynthFace attribute regressor: reads the attribute vector back from an image, to
// measure what an edit did (did the target attribute move, did the others stay). A small
// CNN of our own; trained by `pae-cli synthface train`, shipped as regressor.safetensors.
#include "core/synthface/attributes.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <filesystem>
#include <vector>

namespace pae::synthface {

// The attributes read as numbers (Signed and Unit), in Attr order.
const std::vector<Attr>& regressedAttributes();
// The Binary ones, in Attr order (bald, glasses, beard).
const std::vector<Attr>& binaryAttributes();

struct RegressorReading {
    torch::Tensor values;        // [N,kAttrCount] in each attribute's own range and kind
    torch::Tensor hairColorProb; // [N,kHairColorCount]
    torch::Tensor binaryProb;    // [N,binaryAttributes().size()], probability present
};

class AttributeRegressorImpl : public torch::nn::Module {
public:
    static constexpr int64_t kInputSize = 64;
    AttributeRegressorImpl();
    // images [N,3,H,W] in [0,1] (resized to 64² when they are another size) → raw outputs
    // [N,kOutputs]: regressed attributes scaled to [0,1], cos and sin of the background hue,
    // hair colour logits, binary logits.
    torch::Tensor forward(const torch::Tensor& images01);
    RegressorReading read(const torch::Tensor& images01);
    // Decodes raw outputs.
    static RegressorReading decode(const torch::Tensor& raw);
    // Loss of raw outputs against the true attributes (hair length and curl do not count
    // for bald faces, which show no scalp hair). Graded faces (amounts, a colour between
    // two palette entries) are soft targets.
    static torch::Tensor loss(const torch::Tensor& raw, const std::vector<Attributes>& truth);
    // The same, counting only the attributes where counts [N,kAttrCount] is 1 (a caption's
    // embedding, say, is only held to what the caption names).
    static torch::Tensor loss(const torch::Tensor& raw, const std::vector<Attributes>& truth, const torch::Tensor& counts);
    static int64_t outputCount();

private:
    torch::nn::Sequential features{nullptr};
    torch::nn::Sequential head{nullptr};
};
TORCH_MODULE(AttributeRegressor);

// Written atomically; the file carries its format in the metadata.
void saveRegressor(AttributeRegressor& regressor, const std::filesystem::path& path);
// Strict; pae::Error naming the file and the problem.
AttributeRegressor loadRegressor(const std::filesystem::path& path, torch::Device device);
// The shipped regressor of the built-in models folder, on the CPU, in eval mode.
AttributeRegressor loadBuiltinRegressor();

// Attributes as the regressor should read them: [N,kAttrCount].
torch::Tensor attributeTensor(const std::vector<Attributes>& attributes);

} // namespace pae::synthface
