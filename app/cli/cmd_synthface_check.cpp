#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/synthface/train.h"
#include "core/util/output_set.h"
#include "core/util/paths.h"

#include <fstream>
#include <iostream>
#include <string>

namespace pae::cli {

namespace {

struct CheckArgs {
    std::string models;
    std::string reportOut;
    uint64_t seed = synthface::QualityOptions().seed;
    double scale = 1.0;
    bool noClobber = false;
};

} // namespace

void addSynthfaceCheckCommand(CLI::App& synthface)
{
    auto args = std::make_shared<CheckArgs>();
    auto* cmd = synthface.add_subcommand(
        "check", "Measure the SynthFace models on held-out faces (CLIP zero-shot, generator PSNR, regressor) and "
                 "print the result; --report-out also writes it as JSON");
    cmd->add_option("--models", args->models, "Folder of the models (default: the built-in ones)");
    cmd->add_option("--report-out", args->reportOut,
                    "Write the report here (JSON; the \"training\" section of the models' training-report.json is "
                    "kept). Without it nothing is written: the installed models are never changed");
    cmd->add_option("--seed", args->seed, "Seed of the held-out faces")->capture_default_str()->check(seedRange());
    cmd->add_option("--scale", args->scale, "Multiplies the number of faces checked")->check(finiteRange(0.001, 1.0));
    addNoClobber(cmd, args->noClobber);
    cmd->callback([args] {
        const std::filesystem::path dir = args->models.empty() ? builtinModelsDir() : std::filesystem::path(args->models);
        OutputSet outputs(args->noClobber);
        const std::filesystem::path reportFile =
            args->reportOut.empty() ? std::filesystem::path() : outputs.add(args->reportOut, "--report-out");
        synthface::QualityOptions options;
        options.seed = args->seed;
        options.scale = args->scale;
        nlohmann::json report =
            synthface::measureSynthFaceModels(dir, options, [](const std::string& line) { std::cout << line << std::endl; });
        if (!reportFile.empty()) {
            std::ifstream in(dir / "training-report.json");
            const nlohmann::json previous = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
            if (previous.is_object() && previous.contains("training"))
                report["training"] = previous["training"];
            const std::string text = report.dump(2) + "\n";
            writeFileAtomically(reportFile, text.data(), text.size());
            outputs.commit();
        }
        std::cout << synthface::summarizeReport(report) << std::endl;
    });
}

} // namespace pae::cli
