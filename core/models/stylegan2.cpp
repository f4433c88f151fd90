#include "core/models/stylegan2.h"

#include "core/models/stylegan2_ops.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace pae::models {
namespace {

bool isPowerOfTwo(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

// A tensor computed from parameters, rebuilt when one of them is written (loading bumps
// the version counter) or moved, and never kept while they require grad (training), so
// a cached copy can neither go stale nor cut the graph.
class Derived {
public:
    template <typename Make>
    const torch::Tensor& get(std::initializer_list<torch::Tensor> sources, Make&& make)
    {
        bool trainable = false;
        std::vector<std::pair<const void*, int64_t>> key;
        for (const auto& s : sources) {
            trainable = trainable || s.requires_grad();
            key.emplace_back(s.data_ptr(), static_cast<int64_t>(s._version()));
        }
        if (trainable) {
            m_value = make();
            m_key.clear();
        } else if (!m_value.defined() || key != m_key) {
            torch::NoGradGuard noGrad;
            m_value = make();
            m_key = std::move(key);
        }
        return m_value;
    }

private:
    torch::Tensor m_value;
    std::vector<std::pair<const void*, int64_t>> m_key;
};

class EqualLinearImpl : public torch::nn::Module {
public:
    EqualLinearImpl(int64_t in, int64_t out, double lrMul, double biasInit, bool activate)
        : m_scale(lrMul / std::sqrt(static_cast<double>(in))), m_lrMul(lrMul), m_activate(activate)
    {
        weight = register_parameter("weight", torch::randn({out, in}) / lrMul);
        bias = register_parameter("bias", torch::full({out}, biasInit));
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        const auto& w = m_weight.get({weight}, [&] { return (weight * m_scale).t().contiguous(); });
        const auto& b = m_bias.get({bias}, [&] { return bias * m_lrMul; });
        auto out = torch::addmm(b, x, w);
        if (m_activate)
            out = torch::leaky_relu(out, sg2::kLeakySlope) * sg2::kSqrt2;
        return out;
    }
    torch::Tensor weight, bias;

private:
    double m_scale, m_lrMul;
    bool m_activate;
    Derived m_weight, m_bias;
};
TORCH_MODULE(EqualLinear);

// Holds the port's constant blur/upsample kernel so that the state dict matches.
class KernelBufferImpl : public torch::nn::Module {
public:
    KernelBufferImpl() { kernel = register_buffer("kernel", sg2::upsampleKernel2d()); }
    torch::Tensor kernel;
};
TORCH_MODULE(KernelBuffer);

class ModulatedConvImpl : public torch::nn::Module {
public:
    ModulatedConvImpl(int64_t in, int64_t out, int64_t kernel, int64_t styleDim, bool upsample)
        : m_scale(1.0 / std::sqrt(static_cast<double>(in * kernel * kernel))), m_upsample(upsample)
    {
        weight = register_parameter("weight", torch::randn({1, out, in, kernel, kernel}));
        modulation = register_module("modulation", EqualLinear(styleDim, in, 1.0, 1.0, false));
        if (upsample)
            blur = register_module("blur", KernelBuffer());
    }
    const torch::Tensor& scaled()
    {
        return m_scaled.get({weight}, [&] {
            return (weight.squeeze(0) * m_scale).contiguous(at::MemoryFormat::ChannelsLast);
        });
    }
    const torch::Tensor& phases()
    {
        static const torch::Tensor none;
        if (!m_upsample)
            return none;
        return m_phases.get({weight}, [&] {
            return sg2::upsampleConvWeight(weight.squeeze(0) * m_scale).contiguous(at::MemoryFormat::ChannelsLast);
        });
    }
    const torch::Tensor& blurWeight() // depthwise [Cout,1,4,4], upsampling convs only
    {
        static const torch::Tensor none;
        if (!m_upsample)
            return none;
        return m_blurWeight.get({blur->kernel, weight}, [&] {
            return blur->kernel.reshape({1, 1, 4, 4})
                .expand({weight.size(1), 1, 4, 4})
                .contiguous(at::MemoryFormat::ChannelsLast);
        });
    }
    const torch::Tensor& sumSq()
    {
        return m_sumSq.get({weight}, [&] { return sg2::demodulationMatrix(weight.squeeze(0) * m_scale); });
    }
    const torch::Tensor& matrix() // 1×1 convs: [Cout,Cin]
    {
        return m_matrix.get({weight}, [&] { return (weight.flatten(2).squeeze(0).squeeze(-1) * m_scale).contiguous(); });
    }
    torch::Tensor weight;
    EqualLinear modulation{nullptr};
    KernelBuffer blur{nullptr};

private:
    double m_scale;
    bool m_upsample;
    Derived m_scaled, m_phases, m_sumSq, m_matrix, m_blurWeight;
};
TORCH_MODULE(ModulatedConv);

class NoiseInjectionImpl : public torch::nn::Module {
public:
    NoiseInjectionImpl() { weight = register_parameter("weight", torch::zeros({1})); }
    torch::Tensor weight;
};
TORCH_MODULE(NoiseInjection);

class FusedLeakyReluImpl : public torch::nn::Module {
public:
    explicit FusedLeakyReluImpl(int64_t channels) { bias = register_parameter("bias", torch::zeros({channels})); }
    torch::Tensor bias;
};
TORCH_MODULE(FusedLeakyRelu);

class StyledConvImpl : public torch::nn::Module {
public:
    StyledConvImpl(int64_t in, int64_t out, int64_t styleDim, bool upsample)
    {
        conv = register_module("conv", ModulatedConv(in, out, 3, styleDim, upsample));
        noise = register_module("noise", NoiseInjection());
        activate = register_module("activate", FusedLeakyRelu(out));
    }
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& noiseImage)
    {
        const auto& offset = m_offset.get({noise->weight, noiseImage, activate->bias}, [&] {
            auto o = (noise->weight * noiseImage + activate->bias.reshape({1, -1, 1, 1})) * sg2::kSqrt2;
            return o.contiguous(at::MemoryFormat::ChannelsLast);
        });
        const auto style = conv->modulation(w);
        return sg2::styledConv(x, style, {conv->scaled(), conv->phases(), conv->sumSq(), offset, conv->blurWeight()});
    }
    ModulatedConv conv{nullptr};
    NoiseInjection noise{nullptr};
    FusedLeakyRelu activate{nullptr};

private:
    Derived m_offset;
};
TORCH_MODULE(StyledConv);

class ToRgbImpl : public torch::nn::Module {
public:
    ToRgbImpl(int64_t in, int64_t styleDim, bool upsample)
    {
        if (upsample)
            this->upsample = register_module("upsample", KernelBuffer());
        conv = register_module("conv", ModulatedConv(in, 3, 1, styleDim, false));
        bias = register_parameter("bias", torch::zeros({1, 3, 1, 1}));
    }
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& skip)
    {
        return sg2::toRgb(x, conv->modulation(w), conv->matrix(), bias, skip);
    }
    KernelBuffer upsample{nullptr};
    ModulatedConv conv{nullptr};
    torch::Tensor bias;
};
TORCH_MODULE(ToRgb);

class ConstantInputImpl : public torch::nn::Module {
public:
    explicit ConstantInputImpl(int64_t channels) { input = register_parameter("input", torch::randn({1, channels, 4, 4})); }
    torch::Tensor input;
};
TORCH_MODULE(ConstantInput);

// The port's nn.Sequential(PixelNorm, EqualLinear × n_mlp): index 0 has no weights.
class MappingImpl : public torch::nn::Module {
public:
    MappingImpl(int64_t styleDim, int64_t nMlp)
    {
        for (int64_t i = 1; i <= nMlp; ++i)
            layers.push_back(register_module(std::to_string(i), EqualLinear(styleDim, styleDim, 0.01, 0.0, true)));
    }
    torch::Tensor forward(const torch::Tensor& z)
    {
        auto x = z * torch::rsqrt(z.square().mean(1, /*keepdim=*/true) + 1e-8);
        for (auto& layer : layers)
            x = layer(x);
        return x;
    }
    std::vector<EqualLinear> layers;
};
TORCH_MODULE(Mapping);

int64_t numNoiseLayers(const StyleGan2Config& c) { return (c.log2Size() - 2) * 2 + 1; }

std::string shapeOf(const torch::Tensor& t)
{
    std::ostringstream out;
    out << t.sizes();
    return out.str();
}

const torch::Tensor& require(const io::TensorMap& t, const std::string& key, int64_t dims)
{
    const auto it = t.find(key);
    if (it == t.end())
        throw Error("StyleGAN2 weights: missing tensor " + key);
    if (it->second.dim() != dims)
        throw Error("StyleGAN2 weights: " + key + " has shape " + shapeOf(it->second) + ", expected " +
                    std::to_string(dims) + " dimensions");
    return it->second;
}

} // namespace

int64_t StyleGan2Config::log2Size() const
{
    if (!isPowerOfTwo(size) || size < 4)
        throw Error("StyleGAN2 config: size " + std::to_string(size) + " is not a power of two ≥ 4");
    int64_t log = 0;
    while ((int64_t{1} << log) < size)
        ++log;
    return log;
}

int64_t StyleGan2Config::channels(int64_t resolution) const
{
    if (resolution <= 32)
        return channelMax;
    return channelMax * channelMultiplier * 32 / resolution;
}

StyleGan2Config StyleGan2Config::fromTensors(const io::TensorMap& g)
{
    StyleGan2Config c;
    c.styleDim = require(g, "style.1.weight", 2).size(0);
    c.nMlp = 0;
    while (g.count("style." + std::to_string(c.nMlp + 1) + ".weight"))
        ++c.nMlp;
    int64_t convs = 0;
    while (g.count("convs." + std::to_string(convs) + ".conv.weight"))
        ++convs;
    if (convs % 2 != 0)
        throw Error("StyleGAN2 weights: " + std::to_string(convs) +
                    " synthesis convs (convs.N): expected two per resolution");
    c.size = int64_t{4} << (convs / 2);
    c.channelMax = require(g, "input.input", 4).size(1);
    if (c.size >= 64) {
        // The 64² layer decides the multiplier: its width is channelMax·multiplier/2.
        const int64_t width = require(g, "convs.6.conv.weight", 5).size(1);
        if ((width * 2) % c.channelMax != 0 || width * 2 / c.channelMax < 1)
            throw Error("StyleGAN2 weights: convs.6.conv.weight has " + std::to_string(width) +
                        " output channels; with " + std::to_string(c.channelMax) +
                        " at 4²…32² the port's width table needs a multiple of " +
                        std::to_string(c.channelMax / 2));
        c.channelMultiplier = width * 2 / c.channelMax;
    }
    return c;
}

std::string StyleGan2Config::describe() const
{
    std::ostringstream out;
    out << "StyleGAN2 " << size << "², style " << styleDim << ", " << nMlp << (nMlp == 1 ? " mapping layer" : " mapping layers") << ", channels "
        << channelMax << " × multiplier " << channelMultiplier << ", " << numLatents() << " latents";
    return out.str();
}

struct GeneratorImpl::Modules {
    Mapping style{nullptr};
    ConstantInput input{nullptr};
    StyledConv conv1{nullptr};
    ToRgb toRgb1{nullptr};
    std::vector<StyledConv> convs;
    std::vector<ToRgb> toRgbs;
    std::vector<torch::Tensor> noises;
};

GeneratorImpl::GeneratorImpl(const StyleGan2Config& config) : m_config(config), m(std::make_shared<Modules>())
{
    const auto& c = m_config;
    const int64_t log2 = c.log2Size();
    m->style = register_module("style", Mapping(c.styleDim, c.nMlp));
    m->input = register_module("input", ConstantInput(c.channels(4)));
    m->conv1 = register_module("conv1", StyledConv(c.channels(4), c.channels(4), c.styleDim, false));
    m->toRgb1 = register_module("to_rgb1", ToRgb(c.channels(4), c.styleDim, false));
    auto convs = register_module("convs", torch::nn::ModuleList());
    auto toRgbs = register_module("to_rgbs", torch::nn::ModuleList());
    auto noises = register_module("noises", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < numNoiseLayers(c); ++i) {
        const int64_t r = int64_t{1} << ((i + 5) / 2);
        m->noises.push_back(noises->register_buffer("noise_" + std::to_string(i), torch::randn({1, 1, r, r})));
    }
    int64_t in = c.channels(4);
    for (int64_t l = 3; l <= log2; ++l) {
        const int64_t out = c.channels(int64_t{1} << l);
        if (out < 1)
            throw Error("StyleGAN2 config: no channels left at " + std::to_string(int64_t{1} << l) + "²");
        m->convs.push_back(StyledConv(in, out, c.styleDim, true));
        m->convs.push_back(StyledConv(out, out, c.styleDim, false));
        m->toRgbs.push_back(ToRgb(out, c.styleDim, true));
        convs->push_back(m->convs[m->convs.size() - 2]);
        convs->push_back(m->convs.back());
        toRgbs->push_back(m->toRgbs.back());
        in = out;
    }
}

torch::Tensor GeneratorImpl::mapping(const torch::Tensor& z)
{
    if (z.dim() != 2 || z.size(1) != m_config.styleDim)
        throw Error("StyleGAN2 mapping: z has shape " + shapeOf(z) + ", expected [N," +
                    std::to_string(m_config.styleDim) + "]");
    return m->style(z);
}

torch::Tensor GeneratorImpl::synthesize(const torch::Tensor& wPlus, int64_t stopResolution)
{
    const auto& c = m_config;
    if (wPlus.dim() != 3 || wPlus.size(1) != c.numLatents() || wPlus.size(2) != c.styleDim)
        throw Error("StyleGAN2 synthesis: W+ has shape " + shapeOf(wPlus) + ", expected [N," +
                    std::to_string(c.numLatents()) + "," + std::to_string(c.styleDim) + "]");
    const int64_t stop = stopResolution == 0 ? c.size : stopResolution;
    if (!isPowerOfTwo(stop) || stop < 4 || stop > c.size)
        throw Error("StyleGAN2 synthesis: stop resolution " + std::to_string(stopResolution) +
                    " is not a power of two between 4 and " + std::to_string(c.size));
    const int64_t n = wPlus.size(0);
    // Channels-last all the way: mkldnn's convolutions are about twice as fast on it.
    auto x = m->input->input.expand({n, -1, -1, -1}).contiguous(at::MemoryFormat::ChannelsLast);
    x = m->conv1(x, wPlus.select(1, 0), m->noises[0]);
    auto skip = m->toRgb1(x, wPlus.select(1, 1), torch::Tensor());
    int64_t latent = 1;
    for (size_t i = 0; i < m->toRgbs.size() && (int64_t{8} << i) <= stop; ++i) {
        x = m->convs[2 * i](x, wPlus.select(1, latent), m->noises[2 * i + 1]);
        x = m->convs[2 * i + 1](x, wPlus.select(1, latent + 1), m->noises[2 * i + 2]);
        skip = m->toRgbs[i](x, wPlus.select(1, latent + 2), skip);
        latent += 2;
    }
    return skip.contiguous();
}

torch::Tensor StyleGan2::toWPlus(const torch::Tensor& w) const
{
    if (w.dim() == 2 && w.size(1) == config.styleDim)
        return w.unsqueeze(1).expand({w.size(0), config.numLatents(), config.styleDim});
    if (w.dim() == 3 && w.size(1) == config.numLatents() && w.size(2) == config.styleDim)
        return w;
    throw Error("StyleGAN2: latent of shape " + shapeOf(w) + " is neither W [N," + std::to_string(config.styleDim) +
                "] nor W+ [N," + std::to_string(config.numLatents()) + "," + std::to_string(config.styleDim) + "]");
}

torch::Tensor StyleGan2::truncate(const torch::Tensor& w, double psi) const
{
    return latentAvg + psi * (w - latentAvg);
}

torch::Tensor StyleGan2::zFromSeed(uint64_t seed, int64_t count) const
{
    auto gen = at::detail::createCPUGenerator(seed);
    auto z = torch::randn({count, config.styleDim}, gen, torch::kFloat32);
    return latentAvg.defined() ? z.to(latentAvg.device()) : z;
}

} // namespace pae::models
