// CLIP's image preprocessing: Resize(size, bicubic) on the shortest side, CenterCrop(size),
// ToTensor, Normalize(mean, std), as torchvision composes it for CLIP.
#include "core/models/clip_preprocess.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>

namespace pae::models {
namespace {

namespace F = torch::nn::functional;

constexpr double kMean[3] = {0.48145466, 0.4578275, 0.40821073};
constexpr double kStd[3] = {0.26862954, 0.26130258, 0.27577711};

// torchvision keeps the aspect ratio and truncates the long side.
std::pair<int64_t, int64_t> resizedSize(int64_t h, int64_t w, int64_t size)
{
    if (h <= w)
        return {size, static_cast<int64_t>(static_cast<double>(size) * w / h)};
    return {static_cast<int64_t>(static_cast<double>(size) * h / w), size};
}

// torchvision's CenterCrop uses Python's round(), which rounds halves to even;
// nearbyint does the same under the default rounding mode.
torch::Tensor centerCrop(const torch::Tensor& x, int64_t size)
{
    const int64_t top = static_cast<int64_t>(std::nearbyint((x.size(2) - size) / 2.0));
    const int64_t left = static_cast<int64_t>(std::nearbyint((x.size(3) - size) / 2.0));
    return x.slice(2, top, top + size).slice(3, left, left + size);
}

torch::Tensor normalize(const torch::Tensor& x)
{
    const auto opts = x.options();
    const auto mean =
        torch::tensor({kMean[0], kMean[1], kMean[2]}, opts.dtype(torch::kDouble)).to(opts).view({1, 3, 1, 1});
    const auto std = torch::tensor({kStd[0], kStd[1], kStd[2]}, opts.dtype(torch::kDouble)).to(opts).view({1, 3, 1, 1});
    return (x - mean) / std;
}

torch::Tensor bicubicAa(const torch::Tensor& x, int64_t h, int64_t w)
{
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{h, w})
                                 .mode(torch::kBicubic)
                                 .align_corners(false)
                                 .antialias(true));
}

void checkSize(int64_t size)
{
    if (size <= 0)
        throw Error("CLIP preprocessing: size must be positive, got " + std::to_string(size));
}

} // namespace

torch::Tensor clipPreprocess(const torch::Tensor& images01, int64_t size)
{
    checkSize(size);
    if (images01.dim() != 4 || images01.size(1) != 3 || images01.size(2) == 0 || images01.size(3) == 0)
        throw Error("CLIP preprocessing: images must be [N,3,H,W], got " + std::string(c10::str(images01.sizes())));
    if (!images01.is_floating_point())
        throw Error("CLIP preprocessing: images must be floating point in [0,1]");
    auto x = images01;
    const auto [h, w] = resizedSize(x.size(2), x.size(3), size);
    if (h != x.size(2) || w != x.size(3))
        x = bicubicAa(x, h, w);
    return normalize(centerCrop(x, size));
}

torch::Tensor clipPreprocessImage(const ImageRGB& image, int64_t size)
{
    checkSize(size);
    if (!image.isValid())
        throw Error("CLIP preprocessing: the image is empty or its pixel buffer does not match " +
                    std::to_string(image.width) + "x" + std::to_string(image.height));
    torch::NoGradGuard noGrad;
    // [1,3,H,W] with values 0..255, as PIL holds them.
    auto x =
        torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {1, image.height, image.width, 3}, torch::kUInt8)
            .permute({0, 3, 1, 2})
            .to(torch::kFloat32)
            .contiguous();
    const auto [h, w] = resizedSize(image.height, image.width, size);
    // PIL resamples horizontally, then vertically, storing 8-bit pixels after each pass.
    // LibTorch's antialiased bicubic uses PIL's filter (a = -0.5, support scaled on
    // downsampling) and is the identity along an axis whose size does not change.
    auto to8bit = [](const torch::Tensor& t) { return t.round().clamp(0, 255); };
    if (w != image.width)
        x = to8bit(bicubicAa(x, image.height, w));
    if (h != image.height)
        x = to8bit(bicubicAa(x, h, w));
    return normalize(centerCrop(x, size) / 255.0).contiguous();
}

} // namespace pae::models
