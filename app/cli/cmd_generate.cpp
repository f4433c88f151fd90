#include "app/cli/commands.h"
#include "core/io/image.h"
#include "core/io/safetensors.h"
#include "core/io/weights.h"
#include "core/models/stylegan2.h"
#include "core/util/device.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace pae::cli {
namespace {

namespace fs = std::filesystem;

struct GenerateOptions {
    std::string generator;
    std::string latent;
    int64_t seed = -1;
    int64_t count = 1;
    double truncation = 1.0;
    std::string out;
    std::string tensorOut;
    std::string device = "auto";
};

std::string shapeOf(const torch::Tensor& t)
{
    std::ostringstream s;
    s << t.sizes();
    return s.str();
}

// "face.png" → "face-3.png" when a batch writes several images.
fs::path numbered(const fs::path& path, int64_t index, int64_t count)
{
    if (count == 1)
        return path;
    return path.parent_path() / (path.stem().string() + "-" + std::to_string(index) + path.extension().string());
}

void runGenerate(const GenerateOptions& o)
{
    if (o.latent.empty() == (o.seed < 0))
        throw UsageError("generate: give exactly one of --latent FILE or --seed N");
    if (!o.latent.empty() && o.count != 1)
        throw UsageError("generate: --count goes with --seed; a latent file sets the batch itself");
    if (o.count < 1)
        throw UsageError("generate: --count must be at least 1");
    const fs::path out(o.out);
    if (!io::isWritableImagePath(out))
        throw UsageError("generate: --out " + o.out + ": unknown image type (use .png, .jpg, …)");

    const auto device = resolveDevice(parseDeviceChoice(o.device));
    configureThreads(0);
    const auto started = std::chrono::steady_clock::now();
    auto model = models::loadStyleGan2(o.generator, device);
    log::info("{}: {}", o.generator, model.config.describe());

    torch::NoGradGuard noGrad;
    torch::Tensor w;
    if (o.seed >= 0) {
        w = model.generator->mapping(model.zFromSeed(static_cast<uint64_t>(o.seed), o.count));
    } else {
        const auto tensors = io::loadWeights(o.latent);
        const bool hasW = tensors.count("w") > 0, hasZ = tensors.count("z") > 0;
        if (hasW == hasZ)
            throw Error(o.latent + (hasW ? ": holds both \"w\" and \"z\"; keep one" : ": holds neither \"w\" nor \"z\""));
        if (hasW) {
            w = tensors.at("w").to(device, torch::kFloat32);
            if (w.dim() == 2 || w.dim() == 3) {
                try {
                    w = model.toWPlus(w);
                } catch (const Error& e) {
                    throw Error(o.latent + ": \"w\": " + e.what());
                }
            } else {
                throw Error(o.latent + ": \"w\" has shape " + shapeOf(w) + ", expected [N," +
                            std::to_string(model.config.numLatents()) + "," + std::to_string(model.config.styleDim) +
                            "] or [N," + std::to_string(model.config.styleDim) + "]");
            }
        } else {
            const auto z = tensors.at("z").to(device, torch::kFloat32);
            if (z.dim() != 2 || z.size(1) != model.config.styleDim)
                throw Error(o.latent + ": \"z\" has shape " + shapeOf(z) + ", expected [N," +
                            std::to_string(model.config.styleDim) + "]");
            w = model.generator->mapping(z);
        }
        if (w.size(0) < 1)
            throw Error(o.latent + ": the latent batch is empty");
    }
    if (o.truncation != 1.0)
        w = model.truncate(w, o.truncation);
    const auto image = model.generator->synthesize(model.toWPlus(w));
    log::info("generated {} image(s) of {}² in {:.2f} s", image.size(0), image.size(2),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());

    const int64_t n = image.size(0);
    for (int64_t i = 0; i < n; ++i)
        io::writeImage(io::tensorToImage((image[i] + 1.0) * 0.5), numbered(out, i, n));
    if (!o.tensorOut.empty())
        io::saveSafetensors(o.tensorOut, {{"image", image.to(torch::kCPU, torch::kFloat32).contiguous()}});
}

} // namespace

void addGenerateCommand(CLI::App& app)
{
    auto opts = std::make_shared<GenerateOptions>();
    auto* cmd = app.add_subcommand("generate", "Render faces with a StyleGAN2 generator from latents or seeds");
    cmd->add_option("--generator", opts->generator, "StyleGAN2 weights (.pt with g_ema and latent_avg, or .safetensors)")
        ->required()
        ->check(CLI::ExistingFile);
    auto* latent = cmd->add_option("--latent", opts->latent,
                                   "safetensors with \"w\" [N,n_latent,style_dim] (W+) or [N,style_dim] (W), or \"z\" [N,style_dim]")
                       ->check(CLI::ExistingFile);
    auto* seed = cmd->add_option("--seed", opts->seed, "Random z from this seed (through the mapping network)")
                     ->check(CLI::NonNegativeNumber);
    auto* count = cmd->add_option("--count", opts->count, "Number of images from --seed (default 1)")->needs(seed);
    latent->excludes(seed);
    latent->excludes(count);
    cmd->add_option("--truncation", opts->truncation, "Truncation ψ toward latent_avg (default 1: none)");
    cmd->add_option("--out", opts->out, "Image to write; with N > 1 images, -0, -1, … go before the extension")
        ->required();
    cmd->add_option("--tensor-out", opts->tensorOut,
                    "Also write \"image\" [N,3,H,W] float32 in the generator's range to this safetensors file");
    cmd->add_option("--device", opts->device, "auto, cpu or cuda (default auto)");
    cmd->callback([opts] { runGenerate(*opts); });
}

} // namespace pae::cli
