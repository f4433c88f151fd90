// IR-SE networks (ArcFace, e4e) and their loaders. See irse.h for the files they read.
#include "core/models/irse.h"

#include "core/io/weights.h"
#include "core/models/strict_load.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace pae::models {
namespace {

namespace F = torch::nn::functional;
using torch::indexing::None;
using torch::indexing::Slice;

std::string shapeString(at::IntArrayRef sizes)
{
    std::string out = "[";
    for (size_t i = 0; i < sizes.size(); ++i)
        out += (i ? "," : "") + std::to_string(sizes[i]);
    return out + "]";
}

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool bias)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias));
}

// Squeeze-excitation: the channel mean, a 1×1 bottleneck (no bias), ReLU, 1×1 back, sigmoid.
struct SqueezeExciteImpl : torch::nn::Module {
    SqueezeExciteImpl(int64_t channels, int64_t hidden)
    {
        fc1 = register_module("fc1", conv(channels, hidden, 1, 1, 0, false));
        fc2 = register_module("fc2", conv(hidden, channels, 1, 1, 0, false));
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        const auto s = torch::sigmoid(fc2(torch::relu(fc1(x.mean({2, 3}, true)))));
        return x * s;
    }
    torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(SqueezeExcite);

struct IrseUnitImpl : torch::nn::Module {
    explicit IrseUnitImpl(const IrseUnitShape& shape) : stride(shape.stride)
    {
        if (shape.in != shape.depth) {
            shortcut = register_module("shortcut_layer",
                                       torch::nn::Sequential(conv(shape.in, shape.depth, 1, shape.stride, 0, false),
                                                             torch::nn::BatchNorm2d(shape.depth)));
        }
        res = register_module(
            "res_layer",
            torch::nn::Sequential(torch::nn::BatchNorm2d(shape.in), conv(shape.in, shape.depth, 3, 1, 1, false),
                                  torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(shape.depth)),
                                  conv(shape.depth, shape.depth, 3, shape.stride, 1, false),
                                  torch::nn::BatchNorm2d(shape.depth), SqueezeExcite(shape.depth, shape.hidden)));
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        torch::Tensor identity;
        if (shortcut)
            identity = shortcut->forward(x);
        else if (stride > 1) // MaxPool2d(1, stride): every stride-th pixel
            identity = x.index({Slice(), Slice(), Slice(None, None, stride), Slice(None, None, stride)});
        else
            identity = x;
        return res->forward(x) + identity;
    }
    int64_t stride;
    torch::nn::Sequential shortcut{nullptr}, res{nullptr};
};
TORCH_MODULE(IrseUnit);

// The reference's block table: units per stage for 50, 100 and 152 layers.
std::vector<int> stageUnits(size_t count)
{
    if (count == 24)
        return {3, 4, 14, 3};
    if (count == 49)
        return {3, 13, 30, 3};
    if (count == 80)
        return {3, 8, 36, 3};
    return {};
}

const torch::Tensor& need(const io::TensorMap& tensors, const std::string& key, const std::string& source, int64_t dims)
{
    const auto it = tensors.find(key);
    if (it == tensors.end())
        throw Error(source + ": missing tensor " + key);
    if (it->second.dim() != dims)
        throw Error(source + ": " + key + " has shape " + shapeString(it->second.sizes()) + ", expected " +
                    std::to_string(dims) + " dimensions");
    return it->second;
}

// BatchNorm's step counter is not used in eval mode and is absent from files written
// before PyTorch 0.4.1; PyTorch's own loader fills it in, so do we.
io::TensorMap withBatchCounters(const io::TensorMap& tensors, torch::nn::Module& module, const std::string& prefix)
{
    io::TensorMap out = tensors;
    for (const auto& item : module.named_buffers(true)) {
        const std::string& name = item.key();
        static const std::string suffix = "num_batches_tracked";
        if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.emplace(prefix + name, torch::zeros({}, torch::kLong));
    }
    return out;
}

// One more than the highest index N named by any key "<prefix>N.…": a unit or style block
// with a renamed or missing key still counts, and the strict load then names the key
// (rather than the network looking shorter than it is).
int64_t indexedCount(const io::TensorMap& tensors, const std::string& prefix)
{
    int64_t count = 0;
    for (auto it = tensors.lower_bound(prefix); it != tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it) {
        const std::string rest = it->first.substr(prefix.size());
        const size_t dot = rest.find('.');
        if (dot == 0 || dot == std::string::npos || rest.find_first_not_of("0123456789") != dot || dot > 4)
            continue;
        count = std::max<int64_t>(count, std::stoll(rest.substr(0, dot)) + 1);
    }
    return count;
}

void freeze(torch::nn::Module& module, torch::Device device)
{
    for (auto& p : module.parameters())
        p.set_requires_grad(false);
    module.eval();
    module.to(device);
}

} // namespace

std::vector<IrseUnitShape> irseUnitsFrom(const io::TensorMap& tensors, const std::string& prefix,
                                         const std::string& source)
{
    const size_t count = size_t(indexedCount(tensors, prefix));
    std::vector<IrseUnitShape> units;
    for (size_t i = 0; i < count; ++i) {
        const std::string unit = prefix + std::to_string(i) + ".res_layer.";
        IrseUnitShape shape;
        shape.in = need(tensors, unit + "0.weight", source, 1).size(0);    // BN before the first conv
        shape.depth = need(tensors, unit + "4.weight", source, 1).size(0); // BN after the second
        shape.hidden = need(tensors, unit + "5.fc1.weight", source, 4).size(0);
        units.push_back(shape);
    }
    const auto stages = stageUnits(units.size());
    if (stages.empty())
        throw Error(source + ": " + std::to_string(units.size()) + " IR-SE units under '" + prefix +
                    "'; expected 24, 49 or 80 (the 50-, 100- and 152-layer networks)");
    size_t first = 0;
    for (int count : stages) {
        units[first].stride = 2; // every stage halves the resolution in its first unit
        first += size_t(count);
    }
    return units;
}

std::vector<IrseUnitShape> irse50Units(const std::array<int64_t, 4>& depths, int64_t inputWidth, int64_t reduction)
{
    std::vector<IrseUnitShape> units;
    int64_t in = inputWidth;
    const auto counts = stageUnits(24);
    for (size_t s = 0; s < 4; ++s)
        for (int u = 0; u < counts[s]; ++u) {
            units.push_back({in, depths[s], std::max<int64_t>(1, depths[s] / reduction), u == 0 ? 2 : 1});
            in = depths[s];
        }
    return units;
}

IrseTrunk IrseTrunk::registerOn(torch::nn::Module& owner, int64_t inputWidth, const std::vector<IrseUnitShape>& units)
{
    IrseTrunk trunk;
    trunk.input = owner.register_module(
        "input_layer", torch::nn::Sequential(conv(3, inputWidth, 3, 1, 1, false), torch::nn::BatchNorm2d(inputWidth),
                                             torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(inputWidth))));
    torch::nn::Sequential body;
    for (const auto& shape : units)
        body->push_back(IrseUnit(shape));
    trunk.body = owner.register_module("body", body);
    return trunk;
}

torch::Tensor IrseTrunk::unit(size_t index, const torch::Tensor& x) const
{
    return body->ptr<IrseUnitImpl>(index)->forward(x);
}

ArcFaceImpl::ArcFaceImpl(int64_t inputWidth, const std::vector<IrseUnitShape>& units, int64_t embeddingDim)
    : m_embeddingDim(embeddingDim)
{
    m_trunk = IrseTrunk::registerOn(*this, inputWidth, units);
    const int64_t width = units.back().depth;
    // BatchNorm2d, Dropout, Flatten, Linear(width·7·7), BatchNorm1d: indices 0–4 as in the file.
    m_output = register_module("output_layer", torch::nn::Sequential(torch::nn::BatchNorm2d(width),
                                                                     torch::nn::Dropout(0.0), torch::nn::Flatten(),
                                                                     torch::nn::Linear(width * 7 * 7, embeddingDim),
                                                                     torch::nn::BatchNorm1d(embeddingDim)));
}

torch::Tensor ArcFaceImpl::forward(const torch::Tensor& faces112)
{
    auto x = m_trunk.input->forward(faces112);
    for (size_t i = 0; i < m_trunk.body->size(); ++i)
        x = m_trunk.unit(i, x);
    x = m_output->forward(x);
    return x / x.norm(2, 1, true);
}

IdentityNet loadArcFace(const io::TensorMap& tensors, const std::string& source, torch::Device device)
{
    if (!tensors.count("input_layer.0.weight") || !tensors.count("output_layer.3.weight")) {
        if (tensors.count("state_dict.encoder.input_layer.0.weight"))
            throw Error(source + ": this is an e4e encoder, not an ArcFace identity network (give it as the encoder)");
        throw Error(source + ": no ArcFace IR-SE network in this file (expected the keys of InsightFace_Pytorch's "
                             "model_ir_se50.pth: input_layer.0.weight, body.N.res_layer.…, output_layer.3.weight)");
    }
    const auto units = irseUnitsFrom(tensors, "body.", source);
    const int64_t inputWidth = need(tensors, "input_layer.0.weight", source, 4).size(0);
    const auto& linear = need(tensors, "output_layer.3.weight", source, 2);
    const int64_t width = units.back().depth;
    if (linear.size(1) != width * 49)
        throw Error(source + ": output_layer.3.weight has shape " + shapeString(linear.sizes()) + ", expected [E," +
                    std::to_string(width * 49) + "] (a 7×7 map of the last stage's " + std::to_string(width) +
                    " channels, for 112² faces)");
    IdentityNet model;
    model.net = ArcFace(inputWidth, units, linear.size(0));
    loadStrict(*model.net, withBatchCounters(tensors, *model.net, ""), source);
    freeze(*model.net, device);
    const int layers = units.size() == 24 ? 50 : units.size() == 49 ? 100 : 152;
    model.description =
        "ArcFace IR-SE" + std::to_string(layers) + " (" + std::to_string(linear.size(0)) + "-d embedding)";
    return model;
}

IdentityNet loadArcFace(const std::filesystem::path& path, torch::Device device)
{
    return loadArcFace(io::loadWeights(path), path.string(), device);
}

namespace {

// Adaptive average pooling of one axis from `in` to `out` samples as a matrix [out, in]:
// output i averages inputs [⌊i·in/out⌋, ⌈(i+1)·in/out⌉), as adaptive_avg_pool2d does.
torch::Tensor adaptivePoolMatrix(int64_t in, int64_t out)
{
    auto m = torch::zeros({out, in});
    auto a = m.accessor<float, 2>();
    for (int64_t i = 0; i < out; ++i) {
        const int64_t first = (i * in) / out, last = ((i + 1) * in + out - 1) / out;
        for (int64_t r = first; r < last; ++r)
            a[i][r] = 1.0f / float(last - first);
    }
    return m;
}

// One axis of the identity crop: `in` samples pooled to 256, [from, to) kept, pooled to 112.
// An edit asks for the same few matrices twice per step: they are built once per size,
// device and dtype and kept (a handful of small tensors), so a CUDA step copies nothing
// from the host. The map is never destroyed: tensors must not outlive CUDA at exit.
torch::Tensor identityCropAxis(int64_t in, int64_t from, int64_t to, const torch::TensorOptions& options)
{
    using Key = std::tuple<int64_t, int64_t, int64_t, std::string, int>;
    static std::mutex mutex;
    static auto* cache = new std::map<Key, torch::Tensor>();
    const Key key{in, from, to, options.device().str(), int(options.dtype().toScalarType())};
    const std::lock_guard<std::mutex> lock(mutex);
    auto found = cache->find(key);
    if (found == cache->end()) {
        torch::NoGradGuard noGrad;
        auto m = adaptivePoolMatrix(to - from, 112).mm(adaptivePoolMatrix(in, 256).slice(0, from, to));
        found = cache->emplace(key, m.to(options).contiguous()).first;
    }
    return found->second;
}

} // namespace

torch::Tensor identityCrop(const torch::Tensor& images)
{
    auto x = images;
    // Larger images are first averaged down to 256² (cheap); then pooling, crop and pooling
    // are one linear map per axis, applied as two small matrix products. Area pooling is
    // separable, so this is the convention exactly, and it spares images smaller than 256²
    // the 256² copy and the slow backward of a non-integer adaptive pooling (most of the
    // identity term's cost in an edit step of a 64² generator).
    if (x.size(2) > 256 || x.size(3) > 256)
        x = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({256, 256}));
    const auto options = x.options().requires_grad(false);
    const auto rows = identityCropAxis(x.size(2), 35, 223, options);
    const auto columns = identityCropAxis(x.size(3), 32, 220, options);
    return torch::matmul(torch::matmul(rows, x), columns.t());
}

namespace {

// EqualLinear of rosinality's StyleGAN2 with lr_mul 1: the weight scaled by 1/√in.
struct EqualLinearImpl : torch::nn::Module {
    EqualLinearImpl(int64_t in, int64_t out)
    {
        weight = register_parameter("weight", torch::zeros({out, in}));
        bias = register_parameter("bias", torch::zeros({out}));
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        return F::linear(x, weight / std::sqrt(double(weight.size(1))), bias);
    }
    torch::Tensor weight, bias;
};
TORCH_MODULE(EqualLinear);

// GradualStyleBlock: log2(spatial) stride-2 3×3 convs with LeakyReLU(0.01) down to 1×1,
// then an EqualLinear.
struct StyleBlockImpl : torch::nn::Module {
    StyleBlockImpl(int64_t in, int64_t out, int64_t convCount) : out(out)
    {
        torch::nn::Sequential layers;
        for (int64_t i = 0; i < convCount; ++i) {
            layers->push_back(conv(i == 0 ? in : out, out, 3, 2, 1, true));
            layers->push_back(torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.01)));
        }
        convs = register_module("convs", layers);
        linear = register_module("linear", EqualLinear(out, out));
    }
    torch::Tensor forward(const torch::Tensor& x) { return linear(convs->forward(x).reshape({-1, out})); }
    int64_t out;
    torch::nn::Sequential convs{nullptr};
    EqualLinear linear{nullptr};
};
TORCH_MODULE(StyleBlock);

constexpr int64_t kCoarseRows = 3; // rows 0–2 from the 16² features
constexpr int64_t kMiddleRows = 7; // rows 3–6 from the 32² FPN level, the rest from 64²
// Where Encoder4Editing taps its body (after units 6, 20 and 23 of IR-SE50).
constexpr size_t kTapFine = 6, kTapMiddle = 20, kTapCoarse = 23;

int64_t styleConvCount(int64_t row) { return row < kCoarseRows ? 4 : row < kMiddleRows ? 5 : 6; }

torch::Tensor upsampleAdd(const torch::Tensor& x, const torch::Tensor& y)
{
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{y.size(2), y.size(3)})
                                 .mode(torch::kBilinear)
                                 .align_corners(true)) +
           y;
}

} // namespace

E4eEncoderImpl::E4eEncoderImpl(int64_t inputWidth, const std::vector<IrseUnitShape>& units, int64_t rows,
                               int64_t styleDim, int64_t c1Width, int64_t c2Width)
    : m_rows(rows), m_styleDim(styleDim)
{
    m_trunk = IrseTrunk::registerOn(*this, inputWidth, units);
    const int64_t c3Width = units.back().depth;
    torch::nn::ModuleList styles;
    for (int64_t i = 0; i < rows; ++i)
        styles->push_back(StyleBlock(c3Width, styleDim, styleConvCount(i)));
    m_styles = register_module("styles", styles);
    m_lat1 = register_module("latlayer1", conv(c2Width, styleDim, 1, 1, 0, true));
    m_lat2 = register_module("latlayer2", conv(c1Width, styleDim, 1, 1, 0, true));
}

torch::Tensor E4eEncoderImpl::forward(const torch::Tensor& faces256)
{
    auto x = m_trunk.input->forward(faces256);
    torch::Tensor c1, c2, c3;
    for (size_t i = 0; i < m_trunk.body->size(); ++i) {
        x = m_trunk.unit(i, x);
        if (i == kTapFine)
            c1 = x;
        else if (i == kTapMiddle)
            c2 = x;
        else if (i == kTapCoarse)
            c3 = x;
    }
    std::vector<torch::Tensor> rows;
    rows.reserve(size_t(m_rows));
    const auto w0 = m_styles->ptr<StyleBlockImpl>(0)->forward(c3);
    rows.push_back(w0);
    torch::Tensor features = c3, p2;
    for (int64_t i = 1; i < m_rows; ++i) {
        if (i == kCoarseRows) {
            p2 = upsampleAdd(c3, m_lat1(c2));
            features = p2;
        } else if (i == kMiddleRows) {
            features = upsampleAdd(p2, m_lat2(c1));
        }
        rows.push_back(w0 + m_styles->ptr<StyleBlockImpl>(size_t(i))->forward(features));
    }
    return torch::stack(rows, 1);
}

torch::Tensor Encoder::encode(const torch::Tensor& faces256) const
{
    E4eEncoder encoder = net;
    return encoder->forward(faces256) + latentAvg.unsqueeze(0);
}

Encoder loadE4e(const io::TensorMap& tensors, const std::string& source, torch::Device device)
{
    std::string prefix;
    for (const std::string candidate : {"state_dict.encoder.", "encoder."})
        if (tensors.count(candidate + "input_layer.0.weight")) {
            prefix = candidate;
            break;
        }
    if (prefix.empty()) {
        if (tensors.count("input_layer.0.weight") && tensors.count("output_layer.3.weight"))
            throw Error(source + ": this is an ArcFace identity network, not an e4e encoder (give it as the "
                                 "identity model)");
        throw Error(source + ": no e4e encoder in this file (expected tensors under 'state_dict.encoder.', as in "
                             "encoder4editing's e4e_ffhq_encode.pt)");
    }
    const auto units = irseUnitsFrom(tensors, prefix + "body.", source);
    if (units.size() != 24)
        throw Error(source + ": the e4e encoder has " + std::to_string(units.size()) +
                    " IR-SE units; only the 50-layer one (24 units) is supported, as in encoder4editing");
    const int64_t rows = indexedCount(tensors, prefix + "styles."); // one style block per W+ row
    if (rows < kMiddleRows + 1)
        throw Error(source + ": the e4e encoder has " + std::to_string(rows) + " style blocks (" + prefix +
                    "styles.N); expected 2·log2(size) − 2 ≥ 8, one per W+ row");
    const int64_t styleDim = need(tensors, prefix + "styles.0.convs.0.weight", source, 4).size(0);
    const int64_t c1Width = units[kTapFine].depth, c2Width = units[kTapMiddle].depth;
    if (units.back().depth != styleDim)
        throw Error(source + ": the e4e encoder's last stage has " + std::to_string(units.back().depth) +
                    " channels but its style blocks write " + std::to_string(styleDim) +
                    "; Encoder4Editing adds the two (512 and 512 in the real one)");

    Encoder model;
    model.net = E4eEncoder(need(tensors, prefix + "input_layer.0.weight", source, 4).size(0), units, rows, styleDim,
                           c1Width, c2Width);
    // The decoder (a generator) and anything else outside the encoder stay for loadStyleGan2.
    loadStrict(*model.net, withBatchCounters(tensors, *model.net, prefix), source, prefix);
    freeze(*model.net, device);

    const auto avg = tensors.find("latent_avg");
    if (avg == tensors.end())
        throw Error(source + ": no latent_avg in this file; e4e's W+ is the encoder's output plus latent_avg "
                             "(the checkpoints encoder4editing saves hold it)");
    const auto& t = avg->second;
    const bool oneRow = t.numel() == styleDim && (t.dim() == 1 || (t.dim() == 2 && t.size(0) == 1));
    const bool allRows = t.dim() == 2 && t.size(0) == rows && t.size(1) == styleDim;
    if (!oneRow && !allRows)
        throw Error(source + ": latent_avg has shape " + shapeString(t.sizes()) + ", expected [" +
                    std::to_string(rows) + "," + std::to_string(styleDim) + "] or [" + std::to_string(styleDim) + "]");
    model.latentAvg = t.to(torch::kFloat32).reshape({-1, styleDim}).expand({rows, styleDim}).contiguous().to(device);
    if (!torch::isfinite(model.latentAvg).all().item<bool>())
        throw Error(source + ": latent_avg holds NaN or Inf");
    model.rows = rows;
    model.styleDim = styleDim;
    if (const auto size = tensors.find("input_size"); size != tensors.end()) {
        const auto& s = size->second;
        const bool integer = !s.is_floating_point() && !s.is_complex() && s.scalar_type() != torch::kBool;
        const int64_t side = integer && s.numel() == 1 ? s.reshape({1})[0].item<int64_t>() : 0;
        if (side < 16 || side > 4096 || (side & (side - 1)) != 0)
            throw Error(source + ": input_size should be one integer, a power of two from 16 to 4096 (the side "
                                 "the encoder reads)");
        model.inputSize = side;
    }
    model.description = "e4e IR-SE50 encoder (" + std::to_string(rows) + " × " + std::to_string(styleDim) + " W+";
    if (model.inputSize != 256)
        model.description += ", " + std::to_string(model.inputSize) + "² input";
    model.description += ")";
    return model;
}

Encoder loadE4e(const std::filesystem::path& path, torch::Device device)
{
    return loadE4e(io::loadWeights(path), path.string(), device);
}

torch::Tensor encoderInput(const torch::Tensor& images, int64_t size)
{
    if (images.size(2) == size && images.size(3) == size)
        return images;
    return F::interpolate(images, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{size, size})
                                      .mode(torch::kBilinear)
                                      .align_corners(false)
                                      .antialias(images.size(2) > size));
}

} // namespace pae::models
