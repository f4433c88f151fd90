#include "core/synthface/regressor.h"

#include "core/io/safetensors.h"
#include "core/models/strict_load.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <cmath>

namespace pae::synthface {
namespace {

namespace nn = torch::nn;
constexpr double kTwoPi = 6.283185307179586;
const char* const kFormat = "pae-studio synthface attribute regressor v1";

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t stride)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

int64_t regressedCount() { return int64_t(regressedAttributes().size()); }
int64_t binaryCount() { return int64_t(binaryAttributes().size()); }

} // namespace

const std::vector<Attr>& regressedAttributes()
{
    static const std::vector<Attr> list = [] {
        std::vector<Attr> out;
        for (const AttrInfo& i : attributeTable())
            if (i.kind == AttrKind::Signed || i.kind == AttrKind::Unit)
                out.push_back(i.attr);
        return out;
    }();
    return list;
}

const std::vector<Attr>& binaryAttributes()
{
    static const std::vector<Attr> list = [] {
        std::vector<Attr> out;
        for (const AttrInfo& i : attributeTable())
            if (i.kind == AttrKind::Binary)
                out.push_back(i.attr);
        return out;
    }();
    return list;
}

int64_t AttributeRegressorImpl::outputCount() { return regressedCount() + 2 + kHairColorCount + binaryCount(); }

AttributeRegressorImpl::AttributeRegressorImpl()
{
    // 64² → 4² in four stride-2 steps, a plain 3×3 conv at each scale between them; the
    // head sees the 4×4 grid, not a global pool, because where a feature sits matters.
    features = register_module(
        "features", nn::Sequential(conv(3, 32, 2), nn::ReLU(), conv(32, 32, 1), nn::ReLU(), conv(32, 64, 2),
                                   nn::ReLU(), conv(64, 64, 1), nn::ReLU(), conv(64, 128, 2), nn::ReLU(),
                                   conv(128, 128, 1), nn::ReLU(), conv(128, 128, 2), nn::ReLU()));
    head = register_module("head", nn::Sequential(nn::Linear(128 * 16, 256), nn::ReLU(), nn::Linear(256, outputCount())));
    // He initialization: LibTorch's default (uniform, a = √5) shrinks the signal about
    // sixfold in variance per ReLU layer, so ten layers start out blind to the input.
    torch::NoGradGuard noGrad;
    for (auto& item : named_parameters()) {
        auto& p = item.value();
        if (p.dim() > 1)
            torch::nn::init::kaiming_normal_(p, 0.0, torch::kFanIn, torch::kReLU);
        else
            p.zero_();
    }
}

torch::Tensor AttributeRegressorImpl::forward(const torch::Tensor& images01)
{
    if (images01.dim() != 4 || images01.size(1) != 3)
        throw Error("attribute regressor: images must be [N,3,H,W], got " + std::string(c10::str(images01.sizes())));
    auto x = images01.to(torch::kFloat32);
    if (x.size(2) != kInputSize || x.size(3) != kInputSize)
        x = torch::nn::functional::interpolate(x, torch::nn::functional::InterpolateFuncOptions()
                                                     .size(std::vector<int64_t>{kInputSize, kInputSize})
                                                     .mode(torch::kBilinear)
                                                     .align_corners(false)
                                                     .antialias(true));
    x = features->forward((x - 0.5) * 2.0);
    return head->forward(x.flatten(1));
}

RegressorReading AttributeRegressorImpl::read(const torch::Tensor& images01) { return decode(forward(images01)); }

RegressorReading AttributeRegressorImpl::decode(const torch::Tensor& raw)
{
    const int64_t r = regressedCount();
    RegressorReading out;
    auto values = torch::zeros({raw.size(0), kAttrCount}, raw.options());
    const auto scaled = raw.slice(1, 0, r).clamp(0, 1);
    for (int64_t k = 0; k < r; ++k) {
        const AttrInfo& i = info(regressedAttributes()[size_t(k)]);
        values.select(1, int64_t(i.attr)).copy_(scaled.select(1, k) * (i.maxValue - i.minValue) + i.minValue);
    }
    auto hue = torch::atan2(raw.select(1, r + 1), raw.select(1, r)) / kTwoPi;
    hue = hue - hue.floor();
    values.select(1, int64_t(Attr::BackgroundHue)).copy_(hue.clamp_max(0.99999994));
    const auto hairLogits = raw.slice(1, r + 2, r + 2 + kHairColorCount);
    out.hairColorProb = torch::softmax(hairLogits, 1);
    values.select(1, int64_t(Attr::HairColor)).copy_(hairLogits.argmax(1).to(raw.scalar_type()));
    out.binaryProb = torch::sigmoid(raw.slice(1, r + 2 + kHairColorCount, outputCount()));
    for (int64_t k = 0; k < binaryCount(); ++k)
        values.select(1, int64_t(binaryAttributes()[size_t(k)])).copy_(out.binaryProb.select(1, k).gt(0.5));
    out.values = values;
    return out;
}

torch::Tensor attributeTensor(const std::vector<Attributes>& attributes)
{
    auto out = torch::empty({int64_t(attributes.size()), kAttrCount}, torch::kFloat32);
    for (size_t n = 0; n < attributes.size(); ++n)
        for (int k = 0; k < kAttrCount; ++k)
            out[int64_t(n)][k] = attributes[n].values()[size_t(k)];
    return out;
}

torch::Tensor AttributeRegressorImpl::loss(const torch::Tensor& raw, const std::vector<Attributes>& truth)
{
    return loss(raw, truth, torch::ones({int64_t(truth.size()), kAttrCount}, raw.options()));
}

torch::Tensor AttributeRegressorImpl::loss(const torch::Tensor& raw, const std::vector<Attributes>& truth,
                                           const torch::Tensor& counts)
{
    namespace F = torch::nn::functional;
    const int64_t r = regressedCount();
    const auto t = attributeTensor(truth).to(raw.device());
    const auto c = counts.to(raw.device(), torch::kFloat32);
    const auto bald = t.select(1, int64_t(Attr::Bald));
    const auto weighted = [](const torch::Tensor& values, const torch::Tensor& mask) {
        return (values * mask).sum() / mask.sum().clamp_min(1);
    };

    std::vector<torch::Tensor> targets, masks;
    for (Attr a : regressedAttributes()) {
        const AttrInfo& i = info(a);
        targets.push_back((t.select(1, int64_t(a)) - i.minValue) / (i.maxValue - i.minValue));
        const bool hairShape = a == Attr::HairLength || a == Attr::HairCurl;
        const auto counted = c.select(1, int64_t(a));
        masks.push_back(hairShape ? counted * (1 - bald) : counted);
    }
    const auto target = torch::stack(targets, 1), mask = torch::stack(masks, 1);
    const auto regression = weighted((raw.slice(1, 0, r) - target).square(), mask);

    const auto angle = t.select(1, int64_t(Attr::BackgroundHue)) * kTwoPi;
    const auto hue = weighted((raw.select(1, r) - torch::cos(angle)).square() + (raw.select(1, r + 1) - torch::sin(angle)).square(),
                              c.select(1, int64_t(Attr::BackgroundHue)));

    // A colour between two palette entries (a generator's graded face) is a target shared
    // between them by its position; whole indices keep the plain class target.
    const auto position = t.select(1, int64_t(Attr::HairColor));
    const auto lower = position.floor();
    torch::Tensor hairTarget = lower.to(torch::kLong);
    if (!position.eq(lower).all().item<bool>()) {
        const auto share = (position - lower).unsqueeze(1);
        const auto lo = lower.to(torch::kLong).unsqueeze(1);
        const auto hi = (lo + 1).clamp_max(kHairColorCount - 1);
        hairTarget = torch::zeros({position.size(0), kHairColorCount}, raw.options())
                         .scatter_add(1, lo, 1 - share)
                         .scatter_add(1, hi, share);
    }
    const auto hair = weighted(F::cross_entropy(raw.slice(1, r + 2, r + 2 + kHairColorCount), hairTarget,
                                                F::CrossEntropyFuncOptions().reduction(torch::kNone)),
                               c.select(1, int64_t(Attr::HairColor)));
    std::vector<torch::Tensor> binaryTargets, binaryMasks;
    for (Attr a : binaryAttributes()) {
        binaryTargets.push_back(t.select(1, int64_t(a)));
        binaryMasks.push_back(c.select(1, int64_t(a)));
    }
    const auto binary = weighted(F::binary_cross_entropy_with_logits(
                                     raw.slice(1, r + 2 + kHairColorCount, outputCount()), torch::stack(binaryTargets, 1),
                                     F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone)),
                                 torch::stack(binaryMasks, 1));
    // Regression errors are small numbers (a 0.05 miss costs 0.0025); the weights put
    // them on the scale of the classification losses.
    return 20.0 * regression + 2.0 * hue + 0.3 * hair + 0.3 * binary;
}

void saveRegressor(AttributeRegressor& regressor, const std::filesystem::path& path)
{
    io::TensorMap tensors;
    for (const auto& item : regressor->named_parameters())
        tensors.emplace(item.key(), item.value().detach().cpu().clone());
    io::saveSafetensors(path, tensors, {{"format", kFormat}});
}

AttributeRegressor loadBuiltinRegressor()
{
    AttributeRegressor regressor = loadRegressor(builtinModelsDir() / "regressor.safetensors", torch::kCPU);
    regressor->eval();
    return regressor;
}

AttributeRegressor loadRegressor(const std::filesystem::path& path, torch::Device device)
{
    io::SafetensorsFile file(path);
    const auto it = file.metadata().find("format");
    if (it == file.metadata().end() || it->second != kFormat)
        throw Error(path.string() + ": not a SynthFace attribute regressor (metadata 'format' should be '" +
                    std::string(kFormat) + "')");
    AttributeRegressor regressor;
    models::loadStrict(*regressor, file.loadAll(), path.string());
    for (auto& p : regressor->parameters())
        p.set_requires_grad(false);
    regressor->eval();
    regressor->to(device);
    return regressor;
}

} // namespace pae::synthface
