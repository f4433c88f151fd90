#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/edit/grid.h"
#include "core/io/image.h"
#include "core/util/error.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

namespace pae::cli {
namespace {

std::vector<float> parseLambdaList(const std::string& text)
{
    std::vector<float> values;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            size_t used = 0;
            values.push_back(std::stof(item, &used));
            if (item.find_first_not_of(" \t", used) != std::string::npos)
                throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw UsageError("--lambdas: '" + item + "' is not a number (expected e.g. 2,5,8)");
        }
    }
    if (values.empty())
        throw UsageError("--lambdas: no values (expected e.g. 2,5,8)");
    return values;
}

std::string lambdaLabel(float lambda)
{
    char text[32];
    std::snprintf(text, sizeof text, "lambda %g", double(lambda));
    return text;
}

void writeOutputs(const EditOptions& o, const ModelSet& models, const EditRequest& request, const EditResult& result)
{
    if (!o.latentOut.empty()) {
        if (result.latents.size() == 1)
            models.saveLatent(result.latents[0], o.latentOut);
        else
            for (size_t k = 0; k < result.latents.size(); ++k) {
                std::filesystem::path p(o.latentOut);
                models.saveLatent(result.latents[k], p.parent_path() / (p.stem().string() + "-" + std::to_string(k) +
                                                                        p.extension().string()));
            }
    }
    if (!o.metricsOut.empty())
        writeMetrics(o.metricsOut, models, request, result);
    if (!o.presetOut.empty())
        for (const std::string& written : writeEditPresets(o.presetOut, o.presetOutIsFolder,
                                                           models, request, result))
            std::cout << "preset " << written << "\n";
    for (const auto& m : result.metrics)
        std::cout << "lambda " << m.lambda << ": clip cosine to target " << m.clipToTarget << ", l2 " << m.l2
                  << ", loss " << m.loss << "\n";
    std::cout << result.stepsRun << " steps in " << result.seconds << " s\n";
}

} // namespace

void addEditCommands(CLI::App& app)
{
    auto options = std::make_shared<EditOptions>();
    auto* edit = app.add_subcommand("edit", "Edit a face with a text prompt (one λ)");
    options->add(edit);
    edit->add_option("--lambda", options->request.lambdas[0], "Strength λ")->capture_default_str();
    edit->callback([options] {
        auto models = options->models.load();
        const EditRequest request = options->buildRequest(*models);
        const EditResult result = runWithProgress(models, request, options->previewDir);
        if (result.cancelled || result.images.empty())
            throw Error("the edit stopped before it produced an image");
        io::writeImage(result.images[0], options->out);
        writeOutputs(*options, *models, request, result);
    });

    auto sweepOptions = std::make_shared<EditOptions>();
    sweepOptions->presetOutIsFolder = true;
    auto lambdaText = std::make_shared<std::string>();
    auto* sweep = app.add_subcommand("sweep", "Run several λ values as one batch and write a labelled grid");
    sweepOptions->add(sweep);
    sweep->add_option("--lambdas", *lambdaText, "Comma-separated λ values, e.g. 2,5,8")->required();
    sweep->callback([sweepOptions, lambdaText] {
        sweepOptions->request.lambdas = parseLambdaList(*lambdaText);
        auto models = sweepOptions->models.load();
        const EditRequest request = sweepOptions->buildRequest(*models);
        const EditResult result = runWithProgress(models, request, sweepOptions->previewDir);
        if (result.cancelled || result.images.empty())
            throw Error("the sweep stopped before it produced images");
        std::vector<ImageRGB> tiles{models->render(request.source)};
        std::vector<std::string> labels{"source"};
        for (size_t k = 0; k < result.images.size(); ++k) {
            tiles.push_back(result.images[k]);
            labels.push_back(lambdaLabel(result.lambdas[k]));
        }
        io::writeImage(makeLabelledGrid(tiles, labels, int(tiles.size())), sweepOptions->out);
        writeOutputs(*sweepOptions, *models, request, result);
    });
}

} // namespace pae::cli
