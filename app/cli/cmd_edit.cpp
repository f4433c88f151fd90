#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/edit/grid.h"
#include "core/face/paste_back.h"
#include "core/io/image.h"
#include "core/util/error.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace pae::cli {
namespace {

void writeOutputs(EditOutputs& out, const ModelSet& models, const EditRequest& request, const EditResult& result)
{
    for (size_t k = 0; k < out.latents.size(); ++k)
        models.saveLatent(result.latents[k], out.latents[k]);
    if (!out.metrics.empty())
        writeMetrics(out.metrics, models, request, result);
    if (!out.presets.empty())
        writeEditPresets(out.presets, models, request, result);
    out.set.commit();
    for (const auto& m : result.metrics)
        std::cout << "lambda " << m.lambda << ": clip cosine to target " << m.clipToTarget << ", l2 " << m.l2
                  << ", loss " << m.loss << "\n";
    std::cout << result.stepsRun << " steps in " << result.seconds << " s\n";
}

// --photo: the edited face put back into the photo.
ImageRGB pasted(const EditOptions& o, const EditOptions::Photo& photo, const ImageRGB& face)
{
    PasteOptions paste;
    paste.region = parsePasteRegion(o.paste);
    return pasteBack(photo.image, photo.face.face.landmarks, photo.face.face.quad, face, paste).image;
}

} // namespace

void addEditCommands(CLI::App& app)
{
    auto options = std::make_shared<EditOptions>();
    auto* edit = app.add_subcommand("edit", "Edit a face with a text prompt (one λ)");
    options->add(edit);
    options->lambdaOption =
        edit->add_option("--lambda", options->request.lambdas[0],
                         "Strength λ (" +
                             defaultsHelp(EditRequest::defaults().lambdas[0], builtinDefaults().lambdas[0]) + ")")
            ->check(finiteRange(0, 1000));
    edit->callback([options] {
        const auto outputs = planEditOutputs(*options, 1);
        auto models = options->models.load();
        std::optional<EditOptions::Photo> photo;
        if (!options->photo.empty())
            photo = options->invertPhoto(models);
        const EditRequest request = options->buildRequest(*models, photo ? &photo->face.inversion.latent : nullptr);
        const EditResult result = runWithProgress(models, request, *outputs);
        io::writeImage(photo ? pasted(*options, *photo, result.images[0]) : result.images[0], outputs->image);
        if (!outputs->crop.empty())
            io::writeImage(result.images[0], outputs->crop);
        writeOutputs(*outputs, *models, request, result);
    });

    auto sweepOptions = std::make_shared<EditOptions>();
    sweepOptions->presetOutIsFolder = true;
    auto lambdaText = std::make_shared<std::string>();
    auto* sweep = app.add_subcommand("sweep", "Run several λ values as one batch and write a labelled grid");
    sweepOptions->add(sweep);
    sweep->add_option("--lambdas", *lambdaText, "Comma-separated λ values, e.g. 2,5,8")->required();
    sweep->callback([sweepOptions, lambdaText] {
        sweepOptions->request.lambdas = parseNumberList(*lambdaText, "--lambdas", 0, 1000);
        if (sweepOptions->request.lambdas.size() > 16)
            throw UsageError("--lambdas: " + std::to_string(sweepOptions->request.lambdas.size()) +
                             " values; at most 16 run as one batch");
        if (!sweepOptions->cropOut.empty())
            throw UsageError("--crop-out is for edit; sweep writes one grid");
        const auto outputs = planEditOutputs(*sweepOptions, sweepOptions->request.lambdas.size());
        auto models = sweepOptions->models.load();
        std::optional<EditOptions::Photo> photo;
        if (!sweepOptions->photo.empty())
            photo = sweepOptions->invertPhoto(models);
        const EditRequest request =
            sweepOptions->buildRequest(*models, photo ? &photo->face.inversion.latent : nullptr);
        const EditResult result = runWithProgress(models, request, *outputs);
        // With --photo the tiles are the whole photo: as taken, then each λ pasted back.
        std::vector<ImageRGB> tiles{photo ? photo->image : models->render(request.source)};
        std::vector<std::string> labels{photo ? "photo" : "source"};
        for (size_t k = 0; k < result.images.size(); ++k) {
            tiles.push_back(photo ? pasted(*sweepOptions, *photo, result.images[k]) : result.images[k]);
            labels.push_back("lambda " + formatLambda(result.lambdas[k]));
        }
        io::writeImage(makeLabelledGrid(tiles, labels, int(tiles.size())), outputs->image);
        writeOutputs(*outputs, *models, request, result);
    });
}

} // namespace pae::cli
