// pae-cli embed: CLIP features of texts, image files or preprocessed pixels, one JSON
// array per input, before normalization (what get_text_features/get_image_features give).
#include "app/cli/commands.h"
#include "core/io/image.h"
#include "core/io/safetensors.h"
#include "core/io/tensor_checks.h"
#include "core/models/clip.h"
#include "core/models/clip_preprocess.h"
#include "core/util/device.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <memory>

namespace pae::cli {
namespace {

struct EmbedOptions {
    std::string clipDir;
    std::vector<std::string> texts;
    std::vector<std::string> images;
    std::string pixels;
    std::string device = "auto";
};

torch::Tensor readPixels(const std::string& path)
{
    const auto tensors = io::loadSafetensors(path);
    const auto it = tensors.find("pixel_values");
    if (it == tensors.end())
        throw Error(path + ": no tensor \"pixel_values\"");
    // CLIP-normalized pixels stay within a few units; ±1000 is no image.
    io::checkTensorValues(it->second, path, "pixel_values", 1000.0);
    return it->second.to(torch::kFloat32);
}

void printRows(const torch::Tensor& features)
{
    const auto cpu = features.to(torch::kCPU, torch::kFloat32).contiguous();
    const auto rows = cpu.accessor<float, 2>();
    std::string line;
    char number[32];
    for (int64_t r = 0; r < rows.size(0); ++r) {
        line = "[";
        for (int64_t c = 0; c < rows.size(1); ++c) {
            // 9 significant digits round-trip a float32 exactly.
            std::snprintf(number, sizeof number, "%s%.9g", c ? "," : "", static_cast<double>(rows[r][c]));
            line += number;
        }
        line += "]\n";
        std::cout << line;
    }
    std::cout.flush();
}

void runEmbed(const EmbedOptions& opt)
{
    const int sources = !opt.texts.empty() + !opt.images.empty() + !opt.pixels.empty();
    if (sources != 1)
        throw UsageError("embed: give exactly one of --text, --image, --pixels");
    const auto device = resolveDevice(parseDeviceChoice(opt.device));
    auto clip = models::loadClip(opt.clipDir.empty() ? builtinModelsDir() / "clip" : std::filesystem::path(opt.clipDir),
                                 device);
    torch::NoGradGuard noGrad;

    if (!opt.texts.empty()) {
        printRows(clip.model->encodeText(clip.tokenize(opt.texts)));
        return;
    }
    const int64_t size = clip.config.vision.imageSize;
    if (!opt.images.empty()) {
        std::vector<torch::Tensor> batch;
        for (const auto& path : opt.images)
            batch.push_back(models::clipPreprocessImage(io::readImage(path), size));
        printRows(clip.model->encodeImage(torch::cat(batch).to(device)));
        return;
    }
    const auto pixels = readPixels(opt.pixels);
    try {
        printRows(clip.model->encodeImage(pixels.to(device)));
    } catch (const Error& e) {
        throw Error(opt.pixels + ": " + e.what());
    }
}

} // namespace

void addEmbedCommand(CLI::App& app)
{
    auto opt = std::make_shared<EmbedOptions>();
    auto* cmd = app.add_subcommand(
        "embed", "Print CLIP features (projected, not normalized), one JSON array per input and line");
    cmd->add_option("--clip", opt->clipDir,
                    "Hugging Face CLIP folder (config.json, model.safetensors, vocab.json, merges.txt); default: "
                    "built-in SynthFace");
    auto* text = cmd->add_option("--text", opt->texts, "Texts to embed");
    auto* image = cmd->add_option("--image", opt->images, "Image files to embed (CLIP's PIL-style preprocessing)");
    auto* pixels = cmd->add_option("--pixels", opt->pixels,
                                   "safetensors file with \"pixel_values\" [N,3,S,S] float32, already preprocessed");
    text->excludes(image)->excludes(pixels);
    image->excludes(pixels);
    cmd->add_option("--device", opt->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->callback([opt] { runEmbed(*opt); });
}

} // namespace pae::cli
