#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/diagnostics/bench.h"
#include "core/edit/edit_job.h"
#include "core/util/device.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace pae::cli {
namespace {

struct BenchOptions {
    ModelOptions models;
    int steps = 3;
    int lambdas = 4;
    bool json = false;
    bool randomRealShapes = false;
    int cosineLatents = 3;
    std::optional<int> editSteps; // unset: 200 on the built-in models, else skipped
    std::string prompt = "a happy face";
    std::string corpus = "emotion";
};

nlohmann::json phasesJson(const detail::PhaseTimes& p)
{
    return {{"generator_ms", p.generatorMs}, {"clip_ms", p.clipMs},           {"identity_ms", p.identityMs},
            {"backward_ms", p.backwardMs},   {"optimizer_ms", p.optimizerMs}, {"step_ms", p.stepMs}};
}

void runBench(const BenchOptions& o)
{
    std::shared_ptr<ModelSet> modelSet;
    detail::BenchModels bm;
    if (o.randomRealShapes) {
        if (!o.models.clipDir.empty() || !o.models.generatorFile.empty())
            throw UsageError("--random-real-shapes does not take --clip or --generator");
        configureThreads(o.models.threads);
        bm = detail::randomRealShapeModels(resolveDevice(parseDeviceChoice(o.models.device)));
    } else {
        modelSet = o.models.load();
        bm = detail::benchModelsOf(modelSet);
    }
    const int64_t clipRes = detail::clipModeResolution(bm.generatorConfig);
    if (!o.json)
        std::fprintf(stderr, "benchmarking %d steps per mode on %s (%s, %d threads)…\n", o.steps,
                     bm.device.str().c_str(), bm.description.c_str(), torch::get_num_threads());
    const auto full = detail::benchSteps(bm, 0, 1, o.steps);
    const auto clip = detail::benchSteps(bm, clipRes, 1, o.steps);
    // A sweep both ways (all λ in one batch, one λ at a time); an edit runs the way
    // lambdaChunkFor picks for the device, and that is what sweep_ms_per_step reports.
    const auto batched = detail::benchSteps(bm, clipRes, o.lambdas, o.steps, 0);
    const auto inTurn = detail::benchSteps(bm, clipRes, o.lambdas, o.steps, 1);
    const bool usesInTurn = detail::lambdaChunkFor(bm.device, clipRes > 0 ? clipRes : bm.generatorConfig.size) == 1;
    const auto& sweep = usesInTurn ? inTurn : batched;
    const auto render = detail::benchRender(bm, clipRes, std::max(3, o.steps));
    const auto cosines = detail::clipVsFullCosine(bm, clipRes, o.cosineLatents);
    const auto faceNets = detail::benchFaceNets(bm.device, std::max(3, o.steps));
    // A photo's inversion runs at the clip resolution too: pixel error alone, and with CLIP's
    // perceptual term (invert --perceptual).
    const auto invertPixel = detail::benchInversionSteps(bm, clipRes, false, o.steps);
    const auto invertPerceptual = detail::benchInversionSteps(bm, clipRes, true, o.steps);

    nlohmann::json j;
    j["models"] = bm.description;
    j["device"] = bm.device.str();
    j["threads"] = torch::get_num_threads();
    j["steps_timed"] = o.steps;
    j["generator_size"] = bm.generatorConfig.size;
    j["identity_term"] = bool(bm.embedIdentity); // the loaded identity model's term, in every step mode
    j["clip_resolution"] = clipRes == 0 ? bm.generatorConfig.size : clipRes;
    j["full_ms_per_step"] = full.stepMs;
    j["clip_ms_per_step"] = clip.stepMs;
    j["sweep_ms_per_step"] = sweep.stepMs;
    j["sweep_batched_ms_per_step"] = batched.stepMs;
    j["sweep_in_turn_ms_per_step"] = inTurn.stepMs;
    j["sweep_strategy"] = usesInTurn ? "in turn" : "batched";
    // One generator forward without gradients: the live strength slider and presets.
    j["render_ms"] = render.fullMedianMs;
    j["render_min_ms"] = render.fullMinMs;
    j["render_preview_ms"] = render.previewMedianMs;
    j["render_preview_min_ms"] = render.previewMinMs;
    j["render_preview_resolution"] = clipRes == 0 ? bm.generatorConfig.size : clipRes;
    // The face networks in their real shapes, random weights (whatever models were given).
    j["identity_ms"] = faceNets.identityMedianMs;
    j["identity_min_ms"] = faceNets.identityMinMs;
    j["encode_ms"] = faceNets.encodeMedianMs;
    j["encode_min_ms"] = faceNets.encodeMinMs;
    j["invert_ms_per_step"] = invertPixel.medianMs;
    j["invert_min_ms_per_step"] = invertPixel.minMs;
    j["invert_perceptual_ms_per_step"] = invertPerceptual.medianMs;
    j["invert_perceptual_min_ms_per_step"] = invertPerceptual.minMs;
    j["lambdas"] = o.lambdas;
    j["sweep_cost_per_lambda"] = clip.stepMs > 0 ? sweep.stepMs / clip.stepMs / o.lambdas : 0.0;
    j["sweep_cost_vs_one"] = clip.stepMs > 0 ? sweep.stepMs / clip.stepMs : 0.0;
    j["full"] = phasesJson(full);
    j["clip"] = phasesJson(clip);
    j["sweep"] = phasesJson(sweep);
    j["sweep_batched"] = phasesJson(batched);
    j["sweep_in_turn"] = phasesJson(inTurn);
    if (!cosines.empty()) {
        j["clip_vs_full_cosine"] = *std::min_element(cosines.begin(), cosines.end());
        j["clip_vs_full_cosine_values"] = cosines;
    }

    const int editSteps = o.editSteps ? *o.editSteps : (modelSet && modelSet->info().builtin ? 200 : 0);
    if (modelSet && editSteps > 0) {
        EditRequest request = EditRequest::defaults(modelSet->info());
        request.source = modelSet->latentFromSeed(3);
        request.prompt = o.prompt;
        request.corpus = o.corpus;
        request.steps = editSteps;
        const auto start = std::chrono::steady_clock::now();
        double firstPreviewMs = -1;
        EditCallbacks callbacks;
        callbacks.preview = [&](int, const std::vector<ImageRGB>&) {
            if (firstPreviewMs < 0)
                firstPreviewMs =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        };
        EditJob job(modelSet);
        const EditResult result = job.run(request, callbacks);
        j["edit"] = {{"steps", result.stepsRun},
                     {"seconds", result.seconds},
                     {"first_preview_ms", firstPreviewMs},
                     {"prompt", o.prompt},
                     {"corpus", o.corpus}};
    }

    if (o.json) {
        std::cout << j.dump() << "\n";
        return;
    }
    std::printf("%-22s %10s %10s %10s %10s %10s %10s\n", "mode", "step ms", "generator", "clip", "identity", "backward",
                "optimizer");
    auto row = [](const char* name, const detail::PhaseTimes& p) {
        std::printf("%-22s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n", name, p.stepMs, p.generatorMs, p.clipMs,
                    p.identityMs, p.backwardMs, p.optimizerMs);
    };
    row("full", full);
    row(("clip (" + std::to_string(j["clip_resolution"].get<int64_t>()) + "²)").c_str(), clip);
    row(("sweep, " + std::to_string(o.lambdas) + " λ batched").c_str(), batched);
    row(("sweep, " + std::to_string(o.lambdas) + " λ in turn").c_str(), inTurn);
    std::printf("sweep of %d λ costs %.2f× one λ per step (%.2f× per λ), run %s on %s\n", o.lambdas,
                j["sweep_cost_vs_one"].get<double>(), j["sweep_cost_per_lambda"].get<double>(),
                usesInTurn ? "in turn" : "batched", bm.device.str().c_str());
    std::printf("one render (no gradients): %.1f ms at %d² (min %.1f), %.1f ms at %lld² preview (min %.1f)\n",
                render.fullMedianMs, int(bm.generatorConfig.size), render.fullMinMs, render.previewMedianMs,
                (long long)j["render_preview_resolution"].get<int64_t>(), render.previewMinMs);
    std::printf("ArcFace IR-SE50 forward+backward at 112²: %.1f ms (min %.1f); e4e encode at 256²: %.1f ms (min "
                "%.1f) (real shapes, random weights)\n",
                faceNets.identityMedianMs, faceNets.identityMinMs, faceNets.encodeMedianMs, faceNets.encodeMinMs);
    std::printf("inversion step at %lld²: %.1f ms pixel error only (min %.1f), %.1f ms with the perceptual term "
                "(min %.1f)\n",
                (long long)j["clip_resolution"].get<int64_t>(), invertPixel.medianMs, invertPixel.minMs,
                invertPerceptual.medianMs, invertPerceptual.minMs);
    if (!cosines.empty()) {
        std::printf("CLIP embedding, clip mode vs full resolution: cosine %.4f (lowest of %zu latents:",
                    j["clip_vs_full_cosine"].get<double>(), cosines.size());
        for (double c : cosines)
            std::printf(" %.4f", c);
        std::printf(")\n");
    }
    if (j.contains("edit"))
        std::printf("%d-step edit \"%s\": %.2f s, first preview after %.0f ms\n", j["edit"]["steps"].get<int>(),
                    o.prompt.c_str(), j["edit"]["seconds"].get<double>(), j["edit"]["first_preview_ms"].get<double>());
}

} // namespace

void addBenchCommand(CLI::App& app)
{
    auto o = std::make_shared<BenchOptions>();
    auto* cmd = app.add_subcommand(
        "bench", "Time the optimization step (full, clip resolution, λ sweep batched and in turn) and one render");
    o->models.add(cmd);
    cmd->add_option("--steps", o->steps, "Timed steps per mode (after one warm-up)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--lambdas", o->lambdas, "λ values in the sweep batch")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    cmd->add_flag("--json", o->json, "One JSON object on stdout");
    cmd->add_flag("--random-real-shapes", o->randomRealShapes,
                  "Random CLIP ViT-B/32 and StyleGAN2 config-f 1024² weights instead of model files");
    cmd->add_option("--cosine-latents", o->cosineLatents,
                    "Latents (seeds 0…n−1 through the mapping network) for the clip-vs-full embedding cosine")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    cmd->add_option("--edit-steps", o->editSteps,
                    "Also time a whole edit of this many steps (default: 200 on the built-in models, 0 = skip)")
        ->check(wholeRange(0, 100000));
    cmd->callback([o] { runBench(*o); });
}

} // namespace pae::cli
