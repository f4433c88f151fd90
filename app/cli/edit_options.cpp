#include "app/cli/edit_options.h"

#include "app/cli/checks.h"

#include "core/edit/edit_job.h"
#include "core/edit/request_json.h"
#include "core/face/paste_back.h"
#include "core/io/image.h"
#include "core/pae/corpus.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace pae::cli {
namespace fs = std::filesystem;

void ModelOptions::add(CLI::App* cmd)
{
    cmd->add_option("--clip", clipDir, "CLIP folder (Hugging Face layout); default: built-in SynthFace");
    cmd->add_option("--generator", generatorFile,
                    "StyleGAN2 .pt or .safetensors (or e4e_ffhq_encode.pt, whose decoder is one); default: built-in "
                    "SynthFace");
    cmd->add_option("--arcface", identityFile,
                    "ArcFace IR-SE50 identity network (model_ir_se50.pth): adds the identity term (--id-weight) and "
                    "reports the identity similarity");
    cmd->add_option("--encoder", encoderFile, "e4e encoder (e4e_ffhq_encode.pt): a photo's latent in one pass");
    cmd->add_option("--device", device, "auto, cpu or cuda")->capture_default_str();
    cmd->add_option("--threads", threads, "CPU threads (0: all cores)")->capture_default_str()->check(threadCount());
}

std::shared_ptr<ModelSet> ModelOptions::load() const
{
    ModelPaths paths;
    paths.clipDir = clipDir;
    paths.generatorFile = generatorFile;
    paths.identityFile = identityFile;
    paths.encoderFile = encoderFile;
    paths.device = device;
    paths.threads = threads;
    return ModelSet::load(paths);
}

void EditOptions::add(CLI::App* cmd)
{
    models.add(cmd);
    auto* source = cmd->add_option_group("face source");
    source->add_option("--seed", seed, "Generate the face from this seed (0 to 4294967295)")->check(seedRange());
    source->add_option("--latent", latentFile, "Start from a latent file (.safetensors with 'w' or 'z')");
    source->add_option("--photo", photo,
                       "Edit a face in this photo: it is aligned, inverted (from the encoder's W+ with --encoder), "
                       "edited, and pasted back; --out gets the whole photo at its own size");
    source->require_option(1);
    faceOption = cmd->add_option("--face", faceNumber, "With --photo: which face, 0 the largest (`align --list`)")
                     ->capture_default_str()
                     ->check(wholeRange(0, 999));
    cmd->add_option("--paste", paste,
                    "With --photo: what goes back into the photo: face (outline and forehead, feathered) or crop "
                    "(the whole aligned square, for hair edits)")
        ->capture_default_str();
    cmd->add_option("--crop-out", cropOut, "With --photo: also write the edited face as the generator drew it");
    cmd->add_option("--invert-steps", invertSteps,
                    "With --photo: inversion steps (after --encoder: refinement steps, 0 allowed)")
        ->capture_default_str()
        ->check(wholeRange(0, 100000));
    cmd->add_option("--truncation", truncation, "Truncation ψ for --seed faces")
        ->capture_default_str()
        ->check(finiteRange(-2, 2));
    cmd->add_option("--prompt", prompt, "What the face should become, e.g. \"a happy face\"")->required();
    cmd->add_option("--corpus", request.corpus, "Corpus name in prompts/ or a corpus file")->capture_default_str();
    cmd->add_option("--target", target,
                    "text, pae, pae+ or pae+corpus (pae+ with only the prompt's part in the corpus subspace); "
                    "default: the corpus's `# target:`, else pae+");
    cmd->add_option("--basis", basis, "pca or gram-schmidt")->capture_default_str();
    cmd->add_option("--pca-k", request.pcaComponents, "Principal components of the corpus")
        ->capture_default_str()
        ->check(wholeRange(1, 512));
    cmd->add_option("--steps", request.steps, "Optimization steps")
        ->capture_default_str()
        ->check(wholeRange(1, 100000));
    cmd->add_option("--lr", request.learningRate, "Learning rate")->capture_default_str()->check(finiteRange(1e-9, 10));
    const EditRequest paper = EditRequest::defaults(), builtin = builtinDefaults();
    cmd->add_option("--l2", l2Weight,
                    "Weight of ‖w − w0‖² (" + defaultsHelp(paper.l2Weight, builtin.l2Weight) +
                        ", unless the corpus's header sets `# l2:`)")
        ->check(finiteRange(0, 1e6));
    idWeightOption = cmd->add_option("--id-weight", request.idWeight,
                                     "Weight of the identity term 1 − cos(R(G(w)), R(G(w0))); needs --arcface (" +
                                         defaultsHelp(paper.idWeight, builtin.idWeight) + ")")
                         ->check(finiteRange(0, 1e6));
    cmd->add_option("--layers", layers,
                    "W+ rows the edit may move, e.g. 0-3 (coarse: shape, hair), 4-7, 8- (fine: colour); rows count "
                    "from 0; default: the corpus's `# layers:`, else all");
    cmd->add_option("--space", space,
                    "w+ (each moved row on its own) or w (one offset for every moved row: what a generator "
                    "trained without style mixing knows); default: the corpus's `# space:`, else w+");
    cmd->add_option("--resolution", resolution, "clip (stop the generator at 256²) or full")->capture_default_str();
    cmd->add_option("--optimizer-seed", request.seed, "Seed of the job (determinism)")
        ->capture_default_str()
        ->check(seedRange());
    cmd->add_option("--preview-dir", previewDir, "Write preview frames here");
    cmd->add_option("--preview-every", request.previewEvery, "Preview interval in steps")
        ->capture_default_str()
        ->check(wholeRange(0, 100000));
    cmd->add_option("--out", out, "Output image (.png, .jpg, .jpeg, .webp, .bmp)")->required();
    cmd->add_option("--latent-out", latentOut, "Write the edited latent(s) (.safetensors)");
    cmd->add_option("--metrics-out", metricsOut, "Write metrics and settings (.json)");
    cmd->add_option("--preset-out", presetOut,
                    "Save the edit as a reusable preset (Δw): a .preset file for edit, a folder for sweep "
                    "(one preset per λ); `pae-cli apply` uses it");
    addNoClobber(cmd, noClobber);
}

EditRequest builtinDefaults()
{
    ModelInfo synthface;
    synthface.builtin = true;
    return EditRequest::defaults(synthface);
}

std::string defaultsHelp(float paper, float builtin)
{
    return "default " + formatLambda(paper) + ", on the built-in SynthFace models " + formatLambda(builtin);
}

EditRequest EditOptions::buildRequest(const ModelSet& modelSet, const Latent* photoSource) const
{
    EditRequest r = request;
    // What the user did not set comes from the corpus's header, then the models' defaults.
    const EditRequest defaults =
        r.corpus.empty() ? EditRequest::defaults(modelSet.info())
                         : EditRequest::defaults(modelSet.info(), findCorpus(r.corpus, modelSet.info().corpusRoot));
    r.l2Weight = l2Weight.value_or(defaults.l2Weight);
    if (!idWeightOption || idWeightOption->count() == 0)
        r.idWeight = defaults.idWeight;
    if (lambdaOption && lambdaOption->count() == 0)
        r.lambdas = defaults.lambdas;
    r.prompt = prompt;
    r.target = target ? parseTargetKind(*target) : defaults.target;
    r.basis = parseBasisKind(basis);
    r.resolution = parseResolutionMode(resolution);
    r.layers = layers ? parseLayers(*layers, modelSet.info().numLatents, "--layers") : defaults.layers;
    if (space && *space != "w+" && *space != "w")
        throw UsageError("--space: '" + *space + "' is not w+ or w");
    r.sharedOffset = space ? *space == "w" : defaults.sharedOffset;
    if (idWeightOption && idWeightOption->count() > 0 && r.idWeight > 0 && modelSet.info().identityDescription.empty())
        throw UsageError("--id-weight: the identity term needs an identity model; give --arcface model_ir_se50.pth");
    if (photoSource)
        r.source = *photoSource;
    else if (!latentFile.empty())
        r.source = loadLatentWithWarning(modelSet, latentFile);
    else
        r.source = modelSet.latentFromSeed(*seed, truncation);
    r.validate();
    return r;
}

std::unique_ptr<EditOutputs> planEditOutputs(const EditOptions& o, size_t lambdaCount)
{
    if (!io::isWritableImagePath(o.out))
        throw UsageError("--out " + o.out + ": unknown image type (use .png, .jpg, .jpeg, .webp or .bmp)");
    if (o.photo.empty()) {
        if (o.faceOption && o.faceOption->count() > 0)
            throw UsageError("--face needs --photo");
        if (!o.cropOut.empty())
            throw UsageError("--crop-out needs --photo");
    }
    if (o.paste != "face" && o.paste != "crop")
        throw UsageError("--paste: '" + o.paste + "' is not face or crop");
    if (!o.cropOut.empty() && !io::isWritableImagePath(o.cropOut))
        throw UsageError("--crop-out " + o.cropOut + ": unknown image type (use .png, .jpg, .jpeg, .webp or .bmp)");
    auto outputs = std::make_unique<EditOutputs>(o.noClobber);
    outputs->image = outputs->set.add(o.out, "--out");
    if (!o.cropOut.empty())
        outputs->crop = outputs->set.add(o.cropOut, "--crop-out");
    if (!o.latentOut.empty()) {
        const fs::path p(o.latentOut);
        if (lambdaCount == 1)
            outputs->latents.push_back(outputs->set.add(p, "--latent-out"));
        else
            for (size_t k = 0; k < lambdaCount; ++k)
                outputs->latents.push_back(outputs->set.add(
                    p.parent_path() / (p.stem().string() + "-" + std::to_string(k) + p.extension().string()),
                    "--latent-out"));
    }
    if (!o.metricsOut.empty())
        outputs->metrics = outputs->set.add(o.metricsOut, "--metrics-out");
    if (!o.previewDir.empty())
        outputs->previewDir = outputs->set.addFolder(o.previewDir, "--preview-dir");
    for (const fs::path& preset : presetPaths(o))
        outputs->presets.push_back(outputs->set.add(preset, "--preset-out"));
    return outputs;
}

EditResult runWithProgress(const std::shared_ptr<ModelSet>& models, const EditRequest& request, EditOutputs& outputs)
{
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    int lastPrinted = -1;
    EditCallbacks callbacks;
    callbacks.progress = [&](const EditProgress& p) {
        const double eta = p.step > 0 ? p.elapsedSeconds / p.step * (p.steps - p.step) : 0.0;
        float best = p.loss.empty() ? 0.f : p.loss[0];
        if (tty) {
            const int width = 30;
            const int filled = int(double(width) * p.step / p.steps);
            std::fprintf(stderr, "\r[%s%s] %d/%d  loss %.4f  %.1fs  ETA %.0fs ",
                         std::string(size_t(filled), '#').c_str(), std::string(size_t(width - filled), '.').c_str(),
                         p.step, p.steps, double(best), p.elapsedSeconds, eta);
            if (p.step == p.steps)
                std::fprintf(stderr, "\n");
        } else {
            const int decile = p.step * 10 / p.steps;
            if (decile != lastPrinted) {
                lastPrinted = decile;
                std::fprintf(stderr, "step %d/%d loss %.4f elapsed %.1fs eta %.0fs\n", p.step, p.steps, double(best),
                             p.elapsedSeconds, eta);
            }
        }
    };
    if (!outputs.previewDir.empty())
        callbacks.preview = [&](int step, const std::vector<ImageRGB>& frames) {
            for (size_t k = 0; k < frames.size(); ++k) {
                char name[64];
                std::snprintf(name, sizeof name, "step%05d-l%zu.png", step, k);
                const fs::path file = outputs.previewDir / name;
                outputs.set.record(file);
                io::writeImage(frames[k], file);
            }
        };
    callbacks.cancelRequested = [] { return interruptRequested(); };
    catchInterrupt();
    EditJob job(models);
    EditResult result = job.run(request, callbacks);
    if (tty && result.stepsRun < request.steps)
        std::fprintf(stderr, "\n");
    if (result.cancelled)
        throw Cancelled();
    if (result.images.empty() || (result.stepsRun == 0 && !result.stopReason.empty()))
        throw Error("the edit produced nothing: " + result.stopReason);
    if (!result.stopReason.empty())
        std::cerr << "warning: " << result.stopReason << "\n";
    return result;
}

namespace {

// Progress on stderr: one line redrawn on a terminal, a line every 50 steps otherwise.
InversionCallbacks inversionProgress(bool tty)
{
    InversionCallbacks callbacks;
    callbacks.progress = [tty](const InversionProgress& p) {
        if (tty)
            std::fprintf(stderr, "\rinvert %d/%d  %.2f dB  %.1f s", p.step, p.steps, double(p.psnr), p.elapsedSeconds);
        else if (p.step % 50 == 0 || p.step == p.steps)
            std::fprintf(stderr, "invert %d/%d %.2f dB %.1f s\n", p.step, p.steps, double(p.psnr), p.elapsedSeconds);
    };
    callbacks.cancelRequested = [] { return interruptRequested(); };
    catchInterrupt();
    return callbacks;
}

void finishInversion(const InversionResult& result, bool tty, const std::string& what)
{
    if (tty && result.stepsRun > 0)
        std::fprintf(stderr, "\n");
    if (result.cancelled)
        throw Cancelled();
    if (result.stepsRun == 0 && !result.stopReason.empty())
        throw Error(what + ": the inversion produced nothing: " + result.stopReason);
    if (!result.stopReason.empty())
        std::cerr << "warning: " << result.stopReason << "\n";
}

} // namespace

InversionResult invertWithProgress(const std::shared_ptr<ModelSet>& models, const InversionRequest& request,
                                   const std::string& what)
{
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    InversionResult result = InversionJob(models).run(request, inversionProgress(tty));
    finishInversion(result, tty, what);
    return result;
}

PhotoInversion invertPhotoWithProgress(const std::shared_ptr<ModelSet>& models, const ImageRGB& photo, int face,
                                       const InversionRequest& request, const std::string& what)
{
    const FaceAligner aligner;
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    InversionRequest r = request;
    r.previewEvery = 0;
    PhotoInversion out = pae::invertPhoto(models, aligner, photo, face, r, inversionProgress(tty), what);
    finishInversion(out.inversion, tty, what);
    return out;
}

EditOptions::Photo EditOptions::invertPhoto(const std::shared_ptr<ModelSet>& models) const
{
    Photo out;
    out.image = io::readImage(photo);
    if (const std::string warning = photoWorldWarning(models->info()); !warning.empty())
        std::cerr << "warning: " << warning << "\n";
    InversionRequest request;
    request.steps = invertSteps;
    out.face = invertPhotoWithProgress(models, out.image, faceNumber, request, photo);
    if (out.face.face.facesFound > 1)
        std::cerr << out.face.face.facesFound << " faces found; editing face " << faceNumber << "\n";
    std::cerr << "face " << faceNumber << " reproduced at " << out.face.inversion.psnr << " dB ("
              << out.face.inversion.seconds << " s)\n";
    return out;
}

nlohmann::json metricsJson(const ModelSet& models, const EditRequest& request, const EditResult& result)
{
    nlohmann::json j;
    const ModelInfo info = models.info();
    j["models"] = {{"clip", info.clipDescription}, {"generator", info.generatorDescription}, {"device", info.device}};
    if (!info.identityDescription.empty())
        j["models"]["identity"] = info.identityDescription;
    j["settings"] = settingsJson(request);
    j["settings"]["prompt"] = request.prompt;
    j["settings"]["corpus"] = request.corpus;
    j["settings"]["target"] = toString(request.target);
    j["settings"]["lambdas"] = request.lambdas;
    j["steps_run"] = result.stepsRun;
    j["seconds"] = result.seconds;
    j["ms_per_step"] = result.stepsRun > 0 ? 1000.0 * result.seconds / result.stepsRun : 0.0;
    j["cancelled"] = result.cancelled;
    j["stop_reason"] = result.stopReason;
    j["per_lambda"] = nlohmann::json::array();
    for (const auto& m : result.metrics) {
        nlohmann::json row{
            {"lambda", m.lambda}, {"clip_cosine_to_target", m.clipToTarget}, {"l2", m.l2}, {"loss", m.loss}};
        if (m.idSimilarity)
            row["identity_similarity"] = *m.idSimilarity;
        j["per_lambda"].push_back(row);
    }
    return j;
}

void writeMetrics(const fs::path& path, const ModelSet& models, const EditRequest& request, const EditResult& result)
{
    const nlohmann::json j = metricsJson(models, request, result);
    const std::string text = j.dump(2) + "\n";
    writeFileAtomically(path, text.data(), text.size());
}

Latent loadLatentWithWarning(const ModelSet& models, const std::filesystem::path& path)
{
    std::string warning;
    Latent latent = models.loadLatent(path, &warning);
    if (!warning.empty())
        std::cerr << "warning: " << warning << "\n";
    return latent;
}

} // namespace pae::cli
