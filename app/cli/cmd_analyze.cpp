// `pae-cli analyze`: what the studio's corpus panel says about a prompt, for scripts.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/edit/model_set.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace pae::cli {

void addAnalyzeCommand(CLI::App& app)
{
    struct Options {
        ModelOptions models;
        std::string prompt;
        std::string corpus;
        std::string basis = "pca";
        int pcaK = 10;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "analyze", "Does a prompt belong to a corpus? The reading and warning the studio's corpus panel shows");
    o->models.add(cmd);
    cmd->add_option("--prompt", o->prompt, "The prompt, e.g. \"a happy face\"")->required();
    cmd->add_option("--corpus", o->corpus, "A corpus name or file")->required();
    cmd->add_option("--basis", o->basis, "pca or gram-schmidt")->capture_default_str();
    cmd->add_option("--pca-k", o->pcaK, "PCA components")->capture_default_str()->check(CLI::Range(1, 512));
    cmd->add_flag("--json", o->json, "One JSON object on stdout: {\"warn\": …, \"message\": …, …}");
    cmd->callback([o] {
        const BasisKind basis = parseBasisKind(o->basis);
        const auto models = o->models.load();
        const PromptAnalysis a = models->analyzePrompt(o->prompt, o->corpus, basis, o->pcaK);
        nlohmann::json j;
        j["prompt"] = o->prompt;
        j["corpus"] = o->corpus;
        j["basis"] = a.basisDescription;
        j["warn"] = a.warn;
        j["usable"] = a.usable;
        j["message"] = a.warning;
        if (a.hasReading) {
            j["corpus_similarity"] = a.corpusSimilarity;
            j["nearest_prompt"] = a.nearestPrompt;
            j["unrelated_similarity"] = a.unrelatedSimilarity;
            j["closer_corpus"] = a.closerCorpus.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.closerCorpus);
            j["subspace_norm"] = a.subspaceNorm;
            j["s"] = a.subspaceComponent;
        } else {
            for (const char* key : {"corpus_similarity", "nearest_prompt", "unrelated_similarity", "closer_corpus",
                                    "subspace_norm", "s"})
                j[key] = nullptr;
        }
        if (o->json) {
            std::cout << j.dump() << "\n";
            return;
        }
        std::cout << "corpus " << o->corpus << " · " << a.basisDescription << "\n";
        if (!a.hasReading) {
            std::cout << "no prompt: nothing to read\n";
            return;
        }
        std::printf("nearest prompt \"%s\" (cos %.3f); nearest unrelated prompt: cos %.3f · s = %.3f · ‖Bt‖ = %.2f\n",
                    a.nearestPrompt.c_str(), double(a.corpusSimilarity), double(a.unrelatedSimilarity),
                    double(a.subspaceComponent), double(a.subspaceNorm));
        std::cout << (a.warn ? "warning: " + a.warning : std::string("belongs to the corpus")) << "\n";
    });
}

} // namespace pae::cli
