#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/synthface/eval.h"
#include "core/util/error.h"
#include "core/util/output_set.h"
#include "core/util/paths.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace pae::cli {

void addSynthfaceEvalCommand(CLI::App& group)
{
    struct Options {
        synthface::EvalOptions eval;
        std::string lambdas = "2,5,8";
        std::string targets = "text,pae,pae+,pae+corpus";
        std::optional<std::string> space;
        std::string out;
        bool json = false;
        bool noClobber = false;
        bool presets = false;
        synthface::PresetEvalOptions preset;
        bool everyProbe = false;
        bool inversion = false;
        synthface::InversionEvalOptions invert;
        std::optional<uint64_t> firstSeed;
    };
    auto o = std::make_shared<Options>();
    auto* cmd =
        group.add_subcommand("eval", "Measure edits (text, pae, pae+, pae+corpus) against SynthFace ground truth");
    auto* faces =
        cmd->add_option("--faces", o->eval.faces, "Faces to edit (default 24; 50 with --presets; 6 with --inversion)")
            ->check(CLI::Range(1, 10000));
    cmd->add_option("--steps", o->eval.steps, "Optimization steps per edit (default: the studio's)")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    cmd->add_flag("--presets", o->presets,
                  "How far a preset carries: learn each prompt's edit on one face, apply it to the others, and "
                  "compare with per-face optimization and with the preset refined on each face");
    cmd->add_option("--preset-seed", o->preset.presetSeed, "With --presets: the face each preset is learned on")
        ->capture_default_str()
        ->check(wholeRange(0, 4294967295LL));
    cmd->add_option("--preset-lambda", o->preset.lambda,
                    "With --presets: λ of the presets (pae+; default: the studio's)")
        ->check(finiteRange(0, 1000));
    cmd->add_option("--refine-steps", o->preset.refineSteps,
                    "With --presets: steps of \"refine on this face\" (0: not measured)")
        ->capture_default_str()
        ->check(CLI::Range(0, 10000));
    cmd->add_flag("--every-prompt", o->everyProbe, "With --presets: every benchmark prompt, not one per corpus");
    cmd->add_flag("--inversion", o->inversion,
                  "How much of a face survives inversion: held-out renders inverted, the regressor reads render and "
                  "reconstruction (PSNR, attribute change, agreement); no edits");
    auto* perceptual = cmd->add_option("--perceptual", o->invert.perceptualWeight,
                                       "With --inversion: weight of CLIP's perceptual term (invert --perceptual)")
                           ->check(finiteRange(0, 1000));
    auto* meanReg = cmd->add_option("--mean-reg", o->invert.meanWeight,
                                    "With --inversion: weight of the pull towards the mean latent (invert --mean-reg)")
                        ->check(finiteRange(0, 1000));
    auto* invertSteps = cmd->add_option("--invert-steps", o->invert.steps, "With --inversion: inversion steps")
                            ->capture_default_str()
                            ->check(CLI::Range(0, 100000));
    cmd->add_option("--first-seed", o->firstSeed,
                    "Seed of the first face (face i is seed + i; default 1000, with --inversion the held-out render "
                    "90001), so that a setting chosen on some faces can be checked on others")
        ->check(wholeRange(0, 4294967295LL));
    cmd->add_option("--lambdas", o->lambdas, "λ grid, comma-separated")->capture_default_str();
    cmd->add_option("--l2", o->eval.l2Weight, "Weight of ‖w − w0‖² (default: the models' default edit setting)")
        ->check(finiteRange(0, 1e6));
    auto* idWeight = cmd->add_option("--id-weight", o->eval.idWeight,
                                     "Weight of the identity term (default: the studio's; needs the identity model)")
                         ->check(finiteRange(0, 1e6));
    cmd->add_option("--margin", o->eval.margin, "Normalized change that counts as moved")
        ->capture_default_str()
        ->check(finiteRange(0, 1));
    cmd->add_option("--corpus", o->eval.corpusFilter, "Only the prompts of this corpus");
    std::string prompts;
    for (const auto& p : synthface::defaultProbes())
        prompts += (prompts.empty() ? "" : "; ") + p.prompt;
    cmd->add_option("--prompt", o->eval.promptFilter, "Only this benchmark prompt: " + prompts);
    cmd->add_option("--targets", o->targets, "Targets to measure, comma-separated")->capture_default_str();
    auto* layers =
        cmd->add_option("--layers", o->eval.layers,
                        "W+ rows the edits move (as edit --layers; default: each corpus's `# layers:`, else all)");
    auto* space =
        cmd->add_option("--space", o->space, "w+ or w (as edit --space; default: each corpus's `# space:`, else w+)");
    cmd->add_option("--out", o->out, "Write the tables as Markdown");
    cmd->add_flag("--json", o->json, "One JSON object on stdout: target → accuracy, drift, spearman, identity");
    addNoClobber(cmd, o->noClobber);
    cmd->callback([o, faces, perceptual, meanReg, invertSteps, idWeight, layers, space] {
        for (CLI::Option* opt : {perceptual, meanReg, invertSteps})
            if (opt->count() && !o->inversion)
                throw UsageError(opt->get_name() + " belongs to --inversion");
        for (CLI::Option* opt : {idWeight, layers, space})
            if (opt->count() && (o->inversion || o->presets))
                throw UsageError(opt->get_name() + " is for the edit benchmark, not --inversion or --presets");
        if (o->inversion && o->presets)
            throw UsageError("--inversion and --presets measure different things; run them one at a time");
        o->eval.lambdas = parseNumberList(o->lambdas, "--lambdas", 0, 1000);
        o->eval.targets.clear();
        std::stringstream names(o->targets);
        for (std::string name; std::getline(names, name, ',');) {
            name.erase(0, name.find_first_not_of(' '));
            name.erase(name.find_last_not_of(' ') + 1);
            if (name.empty())
                continue;
            const TargetKind kind = parseTargetKind(name);
            if (std::find(o->eval.targets.begin(), o->eval.targets.end(), kind) == o->eval.targets.end())
                o->eval.targets.push_back(kind);
        }
        if (o->eval.targets.empty())
            throw UsageError("--targets: give at least one of text, pae, pae+, pae+corpus");
        if (o->space && *o->space != "w+" && *o->space != "w")
            throw UsageError("--space: '" + *o->space + "' is not w+ or w");
        if (o->space)
            o->eval.sharedOffset = *o->space == "w";
        OutputSet outputs(o->noClobber);
        const std::filesystem::path outFile = o->out.empty() ? std::filesystem::path() : outputs.add(o->out, "--out");
        const bool tty = ::isatty(STDERR_FILENO) == 1;
        auto progress = [tty](int done, int total) {
            if (tty)
                std::fprintf(stderr, "\r%d/%d edits%s", done, total, done == total ? "\n" : "");
            else if (done == total || done % 10 == 0)
                std::fprintf(stderr, "%d/%d edits\n", done, total);
        };
        // The tables (Markdown) to --out and, or JSON, to stdout: the same for every report.
        auto publish = [&](const auto& report) {
            const std::string markdown = report.toMarkdown();
            if (!o->out.empty())
                writeFileAtomically(outFile, markdown.data(), markdown.size());
            outputs.commit();
            std::cout << (o->json ? report.toJson() + "\n" : markdown);
        };
        if (o->firstSeed)
            o->eval.firstSeed = o->preset.firstSeed = o->invert.firstSeed = *o->firstSeed;
        if (o->inversion) {
            o->invert.faces = faces->count() ? o->eval.faces : o->invert.faces;
            auto faceProgress = [tty](int done, int total) {
                if (tty)
                    std::fprintf(stderr, "\r%d/%d faces inverted%s", done, total, done == total ? "\n" : "");
                else
                    std::fprintf(stderr, "%d/%d faces inverted\n", done, total);
            };
            publish(synthface::runInversionEval(o->invert, faceProgress));
            return;
        }
        if (o->presets) {
            o->preset.faces = faces->count() ? o->eval.faces : o->preset.faces;
            o->preset.steps = o->eval.steps;
            o->preset.l2Weight = o->eval.l2Weight;
            o->preset.margin = o->eval.margin;
            o->preset.corpusFilter = o->eval.corpusFilter;
            o->preset.firstProbePerCorpus = !o->everyProbe;
            publish(synthface::runPresetEval(o->preset, progress));
            return;
        }
        publish(synthface::runEval(o->eval, progress));
    });
}

} // namespace pae::cli
