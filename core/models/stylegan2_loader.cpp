// Joins a weights file to the StyleGAN2 generator: config from the shapes, a strict load
// of "g_ema.…", the truncation centre, and a content hash.
#include "core/io/weights.h"
#include "core/models/strict_load.h"
#include "core/models/stylegan2.h"
#include "core/models/stylegan2_ops.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <sstream>

namespace pae::models {
namespace {

const std::string kPrefix = "g_ema.";
// e4e's checkpoints (e4e_ffhq_encode.pt) hold their generator as the pSp decoder.
const std::string kDecoderPrefix = "state_dict.decoder.";

// FNV-1a over names, shapes and the raw bytes, in 8-byte words: fast enough for a 120 MB
// generator (~0.1 s) and stable across .pt and .safetensors holding the same tensors.
std::string contentHash(const io::TensorMap& tensors)
{
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint64_t v) {
        h ^= v;
        h *= 1099511628211ull;
    };
    for (const auto& [name, tensor] : tensors) {
        for (char ch : name)
            mix(static_cast<unsigned char>(ch));
        for (auto s : tensor.sizes())
            mix(static_cast<uint64_t>(s));
        const auto cpu = tensor.to(torch::kCPU, torch::kFloat32).contiguous();
        const auto* bytes = static_cast<const uint8_t*>(cpu.data_ptr());
        const size_t size = cpu.numel() * sizeof(float);
        size_t i = 0;
        for (; i + 8 <= size; i += 8) {
            uint64_t word;
            std::memcpy(&word, bytes + i, 8);
            mix(word);
        }
        for (; i < size; ++i)
            mix(bytes[i]);
    }
    std::ostringstream out;
    out << std::hex << std::setw(16) << std::setfill('0') << h;
    return out.str();
}

void checkKernels(Generator& generator, const std::string& source)
{
    const auto expected = sg2::upsampleKernel2d();
    for (const auto& item : generator->named_buffers(true)) {
        const auto& name = item.key();
        if (name.size() < 7 || name.compare(name.size() - 7, 7, ".kernel") != 0)
            continue;
        if (!torch::allclose(item.value().cpu(), expected, 1e-6, 1e-7))
            throw Error(source + ": " + kPrefix + name +
                        " is not the [1,3,3,1] blur kernel of StyleGAN2; other kernels are not supported");
    }
}

} // namespace

StyleGan2 loadStyleGan2(const io::TensorMap& tensors, const std::string& source, torch::Device device)
{
    const bool hasGEma = std::any_of(tensors.begin(), tensors.end(), [](const auto& item) {
        return item.first.compare(0, kPrefix.size(), kPrefix) == 0;
    });
    if (!hasGEma && tensors.count(kDecoderPrefix + "input.input")) {
        // The same generator under another name; its latent_avg has one (equal) row per W+ row.
        io::TensorMap renamed;
        for (const auto& [key, value] : tensors) {
            if (key.compare(0, kDecoderPrefix.size(), kDecoderPrefix) == 0)
                renamed.emplace(kPrefix + key.substr(kDecoderPrefix.size()), value);
            else if (key == "latent_avg")
                renamed.emplace(key, value.dim() == 2 ? value.to(torch::kFloat32).mean(0) : value);
        }
        log::debug("{}: reading the generator of an e4e checkpoint (state_dict.decoder.…)", source);
        return loadStyleGan2(renamed, source, device);
    }
    io::TensorMap gEma;
    size_t ignored = 0;
    for (const auto& [key, value] : tensors) {
        if (key.compare(0, kPrefix.size(), kPrefix) == 0)
            gEma.emplace(key.substr(kPrefix.size()), value);
        else if (key != "latent_avg")
            ++ignored;
    }
    if (gEma.empty())
        throw Error(source + ": no StyleGAN2 generator in this file (expected tensors under 'g_ema.', as in the "
                             "checkpoints of rosinality's stylegan2-pytorch, or under 'state_dict.decoder.', as in "
                             "encoder4editing's)");
    if (ignored)
        log::debug("{}: ignoring {} tensor(s) outside g_ema (training state)", source, ignored);

    StyleGan2 model;
    try {
        model.config = StyleGan2Config::fromTensors(gEma);
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    log::debug("{}: {}", source, model.config.describe());
    model.generator = Generator(model.config);
    loadStrict(*model.generator, tensors, source, kPrefix);
    checkKernels(model.generator, source);
    // The generator is shared and read-only: edits optimize latents, never weights, and
    // without weight gradients the backward pass does about half the work.
    for (auto& p : model.generator->parameters())
        p.set_requires_grad(false);
    model.generator->eval();
    model.generator->to(device);

    const auto avg = tensors.find("latent_avg");
    if (avg != tensors.end()) {
        const auto& t = avg->second;
        if (t.numel() != model.config.styleDim || (t.dim() != 1 && !(t.dim() == 2 && t.size(0) == 1)))
            throw Error(source + ": latent_avg has shape " + [&] {
                std::ostringstream s;
                s << t.sizes();
                return s.str();
            }() + ", expected [" + std::to_string(model.config.styleDim) + "]");
        model.latentAvg = t.reshape({model.config.styleDim}).to(device, torch::kFloat32);
    } else {
        // Training checkpoints carry no latent_avg; the port estimates it the same way.
        log::warn("{}: no latent_avg in the file; using the mean of 4096 mapped samples (seed 0) for truncation",
                  source);
        torch::NoGradGuard noGrad;
        auto gen = at::detail::createCPUGenerator(0);
        auto z = torch::randn({4096, model.config.styleDim}, gen, torch::kFloat32).to(device);
        model.latentAvg = model.generator->mapping(z).mean(0);
    }
    io::TensorMap hashed = gEma;
    if (avg != tensors.end())
        hashed.emplace("latent_avg", avg->second);
    model.hash = contentHash(hashed);
    return model;
}

StyleGan2 loadStyleGan2(const std::filesystem::path& path, torch::Device device)
{
    return loadStyleGan2(io::loadWeights(path), path.string(), device);
}

} // namespace pae::models
