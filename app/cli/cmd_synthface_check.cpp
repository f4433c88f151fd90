#include "app/cli/commands.h"
#include "core/synthface/train.h"
#include "core/util/paths.h"

#include <iostream>
#include <string>

namespace pae::cli {

namespace {

struct CheckArgs {
    std::string models;
    uint64_t seed = synthface::QualityOptions().seed;
    double scale = 1.0;
};

} // namespace

void addSynthfaceCheckCommand(CLI::App& synthface)
{
    auto args = std::make_shared<CheckArgs>();
    auto* cmd = synthface.add_subcommand(
        "check", "Measure the SynthFace models on held-out faces (CLIP zero-shot, generator PSNR, regressor) and "
                 "write training-report.json next to them");
    cmd->add_option("--models", args->models, "Folder of the models (default: the built-in ones)");
    cmd->add_option("--seed", args->seed, "Seed of the held-out faces")->capture_default_str();
    cmd->add_option("--scale", args->scale, "Multiplies the number of faces checked")->check(CLI::Range(0.001, 1.0));
    cmd->callback([args] {
        const std::filesystem::path dir = args->models.empty() ? builtinModelsDir() : std::filesystem::path(args->models);
        synthface::QualityOptions options;
        options.seed = args->seed;
        options.scale = args->scale;
        const auto report =
            synthface::checkSynthFaceModels(dir, options, [](const std::string& line) { std::cout << line << std::endl; });
        std::cout << synthface::summarizeReport(report) << std::endl;
    });
}

} // namespace pae::cli
