// `apply` and `preset info`: reusing an edit (its Δw) on any face with one generator forward.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/edit/edit_job.h"
#include "core/edit/inversion.h"
#include "core/edit/preset.h"
#include "core/edit/request_json.h"
#include "core/face/alignment.h"
#include "core/io/image.h"
#include "core/util/error.h"
#include "core/util/output_set.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

namespace pae::cli {
namespace {

struct ApplyOptions {
    ModelOptions models;
    std::vector<std::string> presets;
    std::vector<float> strengths;
    std::optional<uint64_t> seed;
    float truncation = 0.7f;
    std::string latentFile;
    std::string photo;
    bool align = false;
    bool noClobber = false;
    std::string out;
    std::string latentOut;
    std::optional<int> refine; // steps of "refine on this face"
};

Latent sourceFace(const ApplyOptions& o, const std::shared_ptr<ModelSet>& models)
{
    if (o.seed)
        return models->latentFromSeed(*o.seed, o.truncation);
    if (!o.latentFile.empty())
        return loadLatentWithWarning(*models, o.latentFile);
    // What `pae-cli invert [--align]` does.
    InversionRequest request;
    const ImageRGB photo = io::readImage(o.photo);
    request.previewEvery = 0;
    InversionResult inverted;
    if (o.align) {
        inverted = invertPhotoWithProgress(models, photo, 0, request, o.photo).inversion;
    } else {
        request.image = photo;
        request.validate();
        inverted = invertWithProgress(models, request, o.photo);
    }
    std::cerr << o.photo << ": inverted at " << inverted.psnr << " dB\n";
    return inverted.latent;
}

void runApply(const ApplyOptions& o)
{
    if ((o.seed ? 1 : 0) + (o.latentFile.empty() ? 0 : 1) + (o.photo.empty() ? 0 : 1) != 1)
        throw UsageError("apply: give exactly one face: --seed, --latent or --photo");
    if (o.align && o.photo.empty())
        throw UsageError("apply: --align is for --photo");
    if (!o.strengths.empty() && o.strengths.size() != o.presets.size())
        throw UsageError("apply: " + std::to_string(o.presets.size()) + " --preset but " +
                         std::to_string(o.strengths.size()) + " --strength; give one strength per preset or none");
    if (o.refine && o.presets.size() != 1)
        throw UsageError("apply: --refine optimizes one preset's prompt on the face; give exactly one --preset");
    for (float s : o.strengths)
        if (!std::isfinite(s))
            throw UsageError("apply: --strength must be a finite number");
    if (!io::isWritableImagePath(o.out))
        throw UsageError("apply: --out " + o.out + ": unknown image type (use .png, .jpg, .webp)");
    // Every output is checked, and every preset read, before the models load: a wrong path
    // or file fails in a moment, and a later failure leaves no output behind.
    OutputSet outputs(o.noClobber);
    const std::filesystem::path imageTmp = outputs.add(o.out, "--out");
    const std::filesystem::path latentTmp =
        o.latentOut.empty() ? std::filesystem::path() : outputs.add(o.latentOut, "--latent-out");
    std::vector<EditPreset> presets;
    for (const std::string& path : o.presets)
        presets.push_back(loadPreset(path));
    const auto models = o.models.load();
    const Latent face = sourceFace(o, models);
    std::vector<const EditPreset*> chosen;
    for (size_t i = 0; i < presets.size(); ++i) {
        if (presets[i].delta.numLatents != face.numLatents || presets[i].delta.styleDim != face.styleDim)
            throw Error(o.presets[i] + ": made for a generator of " + std::to_string(presets[i].delta.numLatents) +
                        "×" + std::to_string(presets[i].delta.styleDim) + " latents (" + presets[i].generator +
                        "); the loaded generator (" + models->info().generatorDescription + ") takes " +
                        std::to_string(face.numLatents) + "×" + std::to_string(face.styleDim));
        const std::string mismatch = presetGeneratorMismatch(presets[i], models->info().generatorHash);
        if (!mismatch.empty())
            std::cerr << "warning: " << o.presets[i] << ": " << mismatch << "\n";
        chosen.push_back(&presets[i]);
    }
    const std::vector<float> strengths = o.strengths.empty() ? std::vector<float>(presets.size(), 1.f) : o.strengths;
    const auto start = std::chrono::steady_clock::now();
    Latent edited = applyPresets(face, chosen, strengths);
    ImageRGB image;
    int refinedSteps = 0;
    if (o.refine) {
        EditRequest base = EditRequest::defaults(models->info());
        base.previewEvery = 0;
        const EditRequest request = refineRequest(presets.front(), face, strengths.front(), *o.refine, base);
        const EditResult result = EditJob(models).run(request);
        if (!result.stopReason.empty())
            throw Error("apply: the refinement stopped early: " + result.stopReason);
        edited = result.latents.front();
        image = result.images.front();
        refinedSteps = result.stepsRun;
    } else {
        image = models->render(edited);
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    io::writeImage(image, imageTmp);
    if (!latentTmp.empty())
        models->saveLatent(edited, latentTmp);
    outputs.commit();
    for (size_t i = 0; i < presets.size(); ++i)
        std::cout << presets[i].name << " ×" << strengths[i] << "\n";
    if (o.refine)
        std::cout << "applied and refined in " << ms << " ms (" << refinedSteps << " optimization steps)\n";
    else
        std::cout << "applied in " << ms << " ms (one generator forward)\n";
}

} // namespace

void addPresetCommands(CLI::App& app)
{
    auto o = std::make_shared<ApplyOptions>();
    auto* apply = app.add_subcommand("apply", "Apply saved edits (presets) to a face with one generator forward");
    o->models.add(apply);
    apply->add_option("--preset", o->presets, "A .preset file (repeat to mix several: w0 + Σ αᵢ·Δwᵢ)")
        ->required()
        ->check(CLI::ExistingFile);
    apply
        ->add_option("--strength", o->strengths,
                     "Strength α of each preset, in order (default 1; 0: the face as it is)")
        ->check(finiteRange(-100, 100));
    apply->add_option("--seed", o->seed, "The face of this seed (0 to 4294967295)")->check(seedRange());
    apply->add_option("--truncation", o->truncation, "Truncation ψ for --seed faces")
        ->capture_default_str()
        ->check(finiteRange(0, 2));
    apply->add_option("--latent", o->latentFile, "A latent file (.safetensors with 'w' or 'z')")
        ->check(CLI::ExistingFile);
    apply->add_option("--photo", o->photo, "A photo, inverted into the generator's latent space first")
        ->check(CLI::ExistingFile);
    apply->add_flag("--align", o->align, "With --photo: find the face and crop it the FFHQ way first");
    apply->add_option("--out", o->out, "Output image")->required();
    apply->add_option("--latent-out", o->latentOut, "Also write the edited latent (.safetensors)");
    apply
        ->add_option("--refine", o->refine,
                     "Refine on this face: then optimize the preset's prompt for this many steps, starting "
                     "from the applied preset (one preset; suggested " +
                         std::to_string(kDefaultRefineSteps) + ")")
        ->check(wholeRange(1, 100000));
    addNoClobber(apply, o->noClobber);
    apply->callback([o] { runApply(*o); });

    auto* preset = app.add_subcommand("preset", "Inspect .preset files");
    preset->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto* info = preset->add_subcommand("info", "Print a preset's metadata as JSON");
    info->add_option("preset", *file, "The .preset file")->required()->check(CLI::ExistingFile);
    info->callback([file] { std::cout << presetInfoJson(loadPreset(*file)) << "\n"; });
}

} // namespace pae::cli

namespace pae::cli {

std::string formatLambda(float lambda)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", double(lambda));
    return text;
}

std::vector<std::filesystem::path> presetPaths(const EditOptions& o)
{
    namespace fs = std::filesystem;
    if (o.presetOut.empty())
        return {};
    if (!o.presetOutIsFolder)
        return {fs::path(o.presetOut)};
    std::error_code ec;
    fs::create_directories(o.presetOut, ec);
    if (ec)
        throw Error(o.presetOut + ": cannot create the preset folder: " + ec.message());
    std::vector<fs::path> paths;
    for (float lambda : o.request.lambdas)
        paths.push_back(fs::path(o.presetOut) / ("lambda-" + formatLambda(lambda) + ".preset"));
    return paths;
}

void writeEditPresets(const std::vector<std::filesystem::path>& paths, const ModelSet& models,
                      const EditRequest& request, const EditResult& result)
{
    const nlohmann::json settings = settingsJson(request);
    for (size_t k = 0; k < result.latents.size() && k < paths.size(); ++k) {
        EditPreset p;
        p.lambda = k < result.lambdas.size() ? result.lambdas[k] : 0.f;
        p.name = request.prompt + " (λ " + formatLambda(p.lambda) + ")";
        p.prompt = request.prompt;
        p.corpus = request.corpus;
        p.target = toString(request.target);
        p.settings = settings.dump();
        p.generator = models.info().generatorDescription;
        p.generatorHash = models.info().generatorHash;
        p.source = request.source;
        p.delta = editDelta(request.source, result.latents[k]);
        savePreset(p, paths[k]);
    }
}

} // namespace pae::cli
