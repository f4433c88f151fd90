#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/io/image.h"
#include "core/io/safetensors.h"
#include "core/io/tensor_checks.h"
#include "core/io/weights.h"
#include "core/models/stylegan2.h"
#include "core/util/device.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/output_set.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

namespace pae::cli {
namespace {

namespace fs = std::filesystem;

struct GenerateOptions {
    std::string generator;
    std::string latent;
    std::optional<uint64_t> seed;
    int64_t count = 1;
    double truncation = 1.0;
    std::string out;
    std::string tensorOut;
    std::string device = "auto";
    bool noClobber = false;
};

// Images per run: each is written as its own file, and --tensor-out holds them all.
constexpr int64_t kMaxImages = 1024;
// Images rendered per forward pass, so that memory does not grow with --count.
constexpr int64_t kChunk = 8;
// --tensor-out is built in memory before it is written.
constexpr int64_t kMaxTensorOutBytes = 2LL << 30;

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

// The latent file's "w" or "z", checked (dtype, values, batch size) before any model loads.
std::pair<std::string, torch::Tensor> readLatentFile(const std::string& file)
{
    const auto tensors = io::loadWeights(file);
    const bool hasW = tensors.count("w") > 0, hasZ = tensors.count("z") > 0;
    if (hasW == hasZ)
        throw Error(file + (hasW ? ": holds both \"w\" and \"z\"; keep one" : ": holds neither \"w\" nor \"z\""));
    const std::string name = hasW ? "w" : "z";
    const torch::Tensor t = tensors.at(name);
    io::checkTensorValues(t, file, name, io::kMaxLatentMagnitude);
    const int64_t n = t.dim() >= 2 ? t.size(0) : 1;
    if (n > kMaxImages)
        throw Error(file + ": tensor '" + name + "' holds " + std::to_string(n) + " latents; at most " +
                    std::to_string(kMaxImages) + " images are generated per run");
    return {name, t};
}

void runGenerate(const GenerateOptions& o)
{
    if (o.latent.empty() == !o.seed.has_value())
        throw UsageError("generate: give exactly one of --latent FILE or --seed N");
    if (!o.latent.empty() && o.count != 1)
        throw UsageError("generate: --count goes with --seed; a latent file sets the batch itself");
    const fs::path out(o.out);
    if (!io::isWritableImagePath(out))
        throw UsageError("generate: --out " + o.out + ": unknown image type (use .png, .jpg, .jpeg, .webp or .bmp)");

    std::pair<std::string, torch::Tensor> latent;
    int64_t n = o.count;
    if (!o.latent.empty()) {
        latent = readLatentFile(o.latent);
        n = latent.second.dim() >= 2 ? latent.second.size(0) : 1;
        if (n < 1)
            throw Error(o.latent + ": the latent batch is empty");
    }
    OutputSet outputs(o.noClobber);
    std::vector<fs::path> imageFiles;
    for (int64_t i = 0; i < n; ++i)
        imageFiles.push_back(outputs.add(numbered(out, i, n), "--out"));
    const fs::path tensorFile = o.tensorOut.empty() ? fs::path() : outputs.add(o.tensorOut, "--tensor-out");

    const auto device = resolveDevice(parseDeviceChoice(o.device));
    configureThreads(0);
    const auto started = std::chrono::steady_clock::now();
    const std::string generatorFile =
        o.generator.empty() ? (builtinModelsDir() / "generator.safetensors").string() : o.generator;
    auto model = models::loadStyleGan2(generatorFile, device);
    log::info("{}: {}", generatorFile, model.config.describe());

    torch::NoGradGuard noGrad;
    torch::Tensor w;
    if (o.seed) {
        w = model.generator->mapping(model.zFromSeed(*o.seed, o.count));
    } else if (latent.first == "w") {
        w = latent.second.to(device, torch::kFloat32);
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
        const auto z = latent.second.to(device, torch::kFloat32);
        if (z.dim() != 2 || z.size(1) != model.config.styleDim)
            throw Error(o.latent + ": \"z\" has shape " + shapeOf(z) + ", expected [N," +
                        std::to_string(model.config.styleDim) + "]");
        w = model.generator->mapping(z);
    }
    if (o.truncation != 1.0)
        w = model.truncate(w, o.truncation);
    w = model.toWPlus(w);
    const int64_t side = model.config.size;
    if (!o.tensorOut.empty() && n * 3 * side * side * 4 > kMaxTensorOutBytes)
        throw Error(o.tensorOut + ": " + std::to_string(n) + " images of " + std::to_string(side) + "² would take " +
                    std::to_string(n * 3 * side * side * 4 >> 20) + " MB; --tensor-out holds at most " +
                    std::to_string(kMaxTensorOutBytes >> 20) + " MB (use a smaller --count)");
    std::vector<torch::Tensor> kept;
    for (int64_t begin = 0; begin < n; begin += kChunk) {
        const torch::Tensor image = model.generator->synthesize(w.slice(0, begin, std::min(n, begin + kChunk)));
        if (!torch::isfinite(image).all().item<bool>())
            throw Error(generatorFile + ": the generator's output holds NaN or Inf for image " +
                        std::to_string(begin) + "…" + std::to_string(std::min(n, begin + kChunk) - 1) +
                        " (from " + (o.seed ? "seed " + std::to_string(*o.seed) : o.latent) + ")");
        for (int64_t i = 0; i < image.size(0); ++i)
            io::writeImage(io::tensorToImage((image[i] + 1.0) * 0.5), imageFiles[size_t(begin + i)]);
        if (!o.tensorOut.empty())
            kept.push_back(image.to(torch::kCPU, torch::kFloat32));
    }
    if (!o.tensorOut.empty())
        io::saveSafetensors(tensorFile, {{"image", torch::cat(kept).contiguous()}});
    outputs.commit();
    log::info("generated {} image(s) of {}² in {:.2f} s", n, side,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

} // namespace

void addGenerateCommand(CLI::App& app)
{
    auto opts = std::make_shared<GenerateOptions>();
    auto* cmd = app.add_subcommand("generate", "Render faces with a StyleGAN2 generator from latents or seeds");
    cmd->add_option("--generator", opts->generator,
                    "StyleGAN2 weights (.pt with g_ema and latent_avg, or .safetensors); default: built-in SynthFace")
        ->check(CLI::ExistingFile);
    auto* latent = cmd->add_option("--latent", opts->latent,
                                   "safetensors with \"w\" [N,n_latent,style_dim] (W+) or [N,style_dim] (W), or \"z\" [N,style_dim]")
                       ->check(CLI::ExistingFile);
    auto* seed = cmd->add_option("--seed", opts->seed, "Random z from this seed (0 to 4294967295), through the mapping network")
                     ->check(seedRange());
    auto* count = cmd->add_option("--count", opts->count, "Number of images from --seed (default 1)")
                      ->needs(seed)
                      ->check(wholeRange(1, kMaxImages));
    latent->excludes(seed);
    latent->excludes(count);
    cmd->add_option("--truncation", opts->truncation, "Truncation ψ toward latent_avg (default 1: none)")
        ->check(finiteRange(-2, 2));
    cmd->add_option("--out", opts->out, "Image to write; with N > 1 images, -0, -1, … go before the extension")
        ->required();
    cmd->add_option("--tensor-out", opts->tensorOut,
                    "Also write \"image\" [N,3,H,W] float32 in the generator's range to this safetensors file");
    cmd->add_option("--device", opts->device, "auto, cpu or cuda (default auto)");
    addNoClobber(cmd, opts->noClobber);
    cmd->callback([opts] { runGenerate(*opts); });
}

} // namespace pae::cli
