#include "core/synthface/train_data.h"

#include "core/synthface/latent_attributes.h"
#include "core/synthface/renderer.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>
#include <cstring>

namespace pae::synthface {
namespace {

torch::Tensor toTensor(const std::vector<ImageRGB>& images, int size)
{
    auto out = torch::empty({int64_t(images.size()), size, size, 3}, torch::kUInt8);
    const size_t bytes = size_t(size) * size * 3;
    for (size_t i = 0; i < images.size(); ++i)
        std::memcpy(out[int64_t(i)].data_ptr<uint8_t>(), images[i].pixels.data(), bytes);
    return out.permute({0, 3, 1, 2}).to(torch::kFloat32).div_(255.0).contiguous();
}

} // namespace

FaceBatch renderFaces(std::vector<Attributes> attributes, int size)
{
    std::vector<ImageRGB> images;
    images.reserve(attributes.size());
    for (const Attributes& a : attributes)
        images.push_back(render(a, size));
    FaceBatch batch;
    batch.images = toTensor(images, size);
    batch.attributes = std::move(attributes);
    return batch;
}

std::mutex& defaultGeneratorLock()
{
    static std::mutex lock;
    return lock;
}

uint64_t stageSeed(uint64_t seed, uint64_t stage)
{
    uint64_t x = seed + 0x9E3779B97F4A7C15ull * (stage + 1);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

FaceBatch renderSampledFaces(std::mt19937_64& rng, int count, int size)
{
    std::vector<Attributes> attributes;
    attributes.reserve(size_t(count));
    for (int i = 0; i < count; ++i)
        attributes.push_back(sampleAttributes(rng()));
    return renderFaces(std::move(attributes), size);
}

FaceBatch renderLatentFaces(const torch::Tensor& z, int size, LatentLook look)
{
    if (z.dim() != 2)
        throw Error("latent faces: z must be [N,dim], got " + std::string(c10::str(z.sizes())));
    const auto cpu = z.to(torch::kCPU, torch::kFloat32).contiguous();
    std::vector<Attributes> attributes;
    attributes.reserve(size_t(cpu.size(0)));
    for (int64_t i = 0; i < cpu.size(0); ++i)
        attributes.push_back(look == LatentLook::Graded
                                 ? gradedAttributesFromLatent(cpu[i].data_ptr<float>(), int(cpu.size(1)))
                                 : attributesFromLatent(cpu[i].data_ptr<float>(), int(cpu.size(1))));
    FaceBatch batch = renderFaces(std::move(attributes), size);
    batch.z = cpu;
    return batch;
}

FaceBatch concatBatches(const FaceBatch& a, const FaceBatch& b)
{
    FaceBatch out;
    out.images = torch::cat({a.images, b.images}, 0);
    out.attributes = a.attributes;
    out.attributes.insert(out.attributes.end(), b.attributes.begin(), b.attributes.end());
    if (a.z.defined() && b.z.defined())
        out.z = torch::cat({a.z, b.z}, 0);
    return out;
}

FaceBatch renderMixedFaces(std::mt19937_64& rng, at::Generator& gen, int count, int size, int64_t latentDim)
{
    const int latent = count / 2;
    FaceBatch fromLatents = renderLatentFaces(torch::randn({latent, latentDim}, gen, torch::kFloat32), size);
    FaceBatch sampled = renderSampledFaces(rng, count - latent, size);
    FaceBatch out = concatBatches(fromLatents, sampled);
    out.z = torch::Tensor();
    return out;
}

torch::Tensor augmentImages(const torch::Tensor& images01, at::Generator& gen, const AugmentOptions& o)
{
    torch::NoGradGuard noGrad;
    const int64_t n = images01.size(0), c = images01.size(1), h = images01.size(2), w = images01.size(3);
    auto uniform = [&](double lo, double hi) { return torch::rand({n, 1, 1, 1}, gen, torch::kFloat32) * (hi - lo) + lo; };

    // Colour jitter: saturation about the grey value, contrast about the mean, brightness.
    auto x = images01.to(torch::kFloat32);
    const auto grey = x.mean(1, true);
    x = grey + (x - grey) * uniform(1 - o.saturation, 1 + o.saturation);
    const auto mean = x.mean({1, 2, 3}, true);
    x = mean + (x - mean) * uniform(1 - o.contrast, 1 + o.contrast);
    x = x + uniform(-o.brightness, o.brightness);

    // A separable 3-tap Gaussian per image: taps (e, 1, e)/(1+2e), e = exp(−1/2σ²); images
    // that draw no blur get σ → 0 (e = 0, the identity).
    const auto sigma = torch::rand({n}, gen, torch::kFloat32) * o.maxBlurSigma;
    const auto blurred = torch::rand({n}, gen, torch::kFloat32) < o.blurProbability;
    auto e = torch::exp(-0.5 / sigma.clamp_min(1e-3).square()) * blurred.to(torch::kFloat32);
    auto taps = torch::stack({e, torch::ones_like(e), e}, 1) / (1 + 2 * e).unsqueeze(1); // [N,3]
    taps = taps.repeat_interleave(c, 0);                                                 // [N·C,3]
    auto flat = x.reshape({1, n * c, h, w});
    flat = torch::replication_pad2d(flat, {1, 1, 1, 1});
    namespace F = torch::nn::functional;
    flat = F::conv2d(flat, taps.view({n * c, 1, 1, 3}), F::Conv2dFuncOptions().groups(n * c));
    flat = F::conv2d(flat, taps.view({n * c, 1, 3, 1}), F::Conv2dFuncOptions().groups(n * c));
    x = flat.view({n, c, h, w});

    x = x + torch::randn({n, c, h, w}, gen, torch::kFloat32) * uniform(0, o.maxNoiseStd);
    return x.clamp(0, 1);
}

} // namespace pae::synthface
