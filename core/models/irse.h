#pragma once
// The IR-SE ResNet family of InsightFace ("ir_se" units: BN → 3×3 conv → PReLU → 3×3 conv
// with the stage's stride → BN → squeeze-excitation, plus a max-pool or a 1×1 conv + BN
// shortcut), in the two forms users bring:
//  - ArcFace IR-SE50: TreB1eN/InsightFace_Pytorch's `Backbone(50, 0.6, 'ir_se')`, the file
//    `model_ir_se50.pth` that StyleCLIP, pSp and e4e use for their identity loss. A 112²
//    face in [-1,1] → its L2-normalized embedding (eval mode: BatchNorm running
//    statistics, no dropout).
//  - e4e: omertov/encoder4editing's `Encoder4Editing(50, 'ir_se')` in
//    `e4e_ffhq_encode.pt`. A 256² face in [-1,1] → W+ = encoder(x) + latent_avg.
// Module and parameter names equal the files' keys. Widths are read from the file's
// shapes (small test models load too); the number of units (24, 49, 80 for 50, 100 and
// 152 layers) fixes where each stage starts, as in the reference's block table.
#include "core/io/tensor_map.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace pae::models {

struct IrseUnitShape {
    int64_t in = 0, depth = 0, hidden = 0, stride = 1;
};

// The units of an IR-SE body under `prefix` ("body." / "encoder.body."), from the shapes.
// Throws pae::Error naming the source when the count is not one of the reference's.
std::vector<IrseUnitShape> irseUnitsFrom(const io::TensorMap& tensors, const std::string& prefix,
                                         const std::string& source);

// The units of an IR-SE50 with these stage widths after an input layer of inputWidth
// channels: the real one is {64, 128, 256, 512} after 64 with SE reduction 16 (the
// benchmark's random real-shape networks); the built-in world's are narrower.
std::vector<IrseUnitShape> irse50Units(const std::array<int64_t, 4>& depths = {64, 128, 256, 512},
                                       int64_t inputWidth = 64, int64_t reduction = 16);

// input_layer (3×3 conv, BN, PReLU) and body, registered on the network that owns them
// under the reference's names.
struct IrseTrunk {
    torch::nn::Sequential input{nullptr};
    torch::nn::Sequential body{nullptr};
    static IrseTrunk registerOn(torch::nn::Module& owner, int64_t inputWidth, const std::vector<IrseUnitShape>& units);
    torch::Tensor unit(size_t index, const torch::Tensor& x) const;
};

class ArcFaceImpl : public torch::nn::Module {
public:
    ArcFaceImpl(int64_t inputWidth, const std::vector<IrseUnitShape>& units, int64_t embeddingDim);
    // [N,3,112,112] in [-1,1] → [N,embeddingDim], unit length.
    torch::Tensor forward(const torch::Tensor& faces112);
    int64_t embeddingDim() const { return m_embeddingDim; }

private:
    int64_t m_embeddingDim;
    IrseTrunk m_trunk;
    torch::nn::Sequential m_output{nullptr};
};
TORCH_MODULE(ArcFace);

struct IdentityNet {
    ArcFace net{nullptr};
    std::string description; // "ArcFace IR-SE50 (512-d embedding)"
};

// `model_ir_se50.pth` (a plain state dict; BatchNorm's num_batches_tracked may be absent,
// as in files older than PyTorch 0.4.1). Strict: errors name the file and each key.
IdentityNet loadArcFace(const io::TensorMap& tensors, const std::string& source, torch::Device device);
IdentityNet loadArcFace(const std::filesystem::path& path, torch::Device device);

// The convention of the pSp / StyleCLIP / e4e identity loss: images [N,3,H,W] in [-1,1]
// are area-pooled to 256² (unless already 256²), cropped to rows 35:223 and columns
// 32:220 (the face, without background), and pooled to 112².
torch::Tensor identityCrop(const torch::Tensor& images);

// e4e's Encoder4Editing: the trunk, one GradualStyleBlock per W+ row (rows 0–2 read the
// 16² features, 3–6 a 32² FPN level, the rest a 64² level) and the two lateral 1×1 convs.
class E4eEncoderImpl : public torch::nn::Module {
public:
    E4eEncoderImpl(int64_t inputWidth, const std::vector<IrseUnitShape>& units, int64_t rows, int64_t styleDim,
                   int64_t c1Width, int64_t c2Width);
    // [N,3,256,256] in [-1,1] → offsets [N,rows,styleDim] (add latent_avg for W+).
    torch::Tensor forward(const torch::Tensor& faces256);

private:
    int64_t m_rows, m_styleDim;
    IrseTrunk m_trunk;
    torch::nn::ModuleList m_styles{nullptr};
    torch::nn::Conv2d m_lat1{nullptr}, m_lat2{nullptr};
};
TORCH_MODULE(E4eEncoder);

struct Encoder {
    E4eEncoder net{nullptr};
    torch::Tensor latentAvg; // [rows, styleDim]
    int64_t rows = 0;
    int64_t styleDim = 0;
    int64_t inputSize = 256; // e4e's; a file may say otherwise (tensor "input_size", the built-in world's 64)
    std::string description; // "e4e IR-SE50 encoder (18 × 512 W+)"

    // [N,3,S,S] (S = inputSize) in [-1,1] → W+ [N,rows,styleDim].
    torch::Tensor encode(const torch::Tensor& faces256) const;
};

// `e4e_ffhq_encode.pt`: {"state_dict": {"encoder.…", "decoder.…"}, "opts", "latent_avg"}, or
// a bare state dict with "encoder.…" keys (and optionally "input_size", a one-element
// integer tensor: the side the encoder reads, 256 when absent). Only the encoder is read here; the decoder is a
// generator (loadStyleGan2 reads the same file).
Encoder loadE4e(const io::TensorMap& tensors, const std::string& source, torch::Device device);
Encoder loadE4e(const std::filesystem::path& path, torch::Device device);

// The face an encoder expects: [N,3,H,W] in [-1,1] → [N,3,S,S] (bilinear resize, as
// e4e's transforms.Resize((256, 256)) before normalization; antialiased when shrinking).
torch::Tensor encoderInput(const torch::Tensor& images, int64_t size = 256);

} // namespace pae::models
