#pragma once
// Options shared by `edit`, `sweep` and `bench`: which models, and the edit settings.
#include "core/edit/edit_request.h"
#include "core/edit/model_set.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pae::cli {

struct ModelOptions {
    std::string clipDir;
    std::string generatorFile;
    std::string device = "auto";
    int threads = 0;
    void add(CLI::App* cmd);
    std::shared_ptr<ModelSet> load() const;
};

struct EditOptions {
    ModelOptions models;
    std::optional<uint64_t> seed;
    std::string latentFile;
    float truncation = 0.7f;
    std::string prompt;
    std::string target = "pae+";
    std::string basis = "pca";
    std::string resolution = "clip";
    std::string previewDir;
    std::string out;
    std::string latentOut;
    std::string metricsOut;
    EditRequest request = EditRequest::defaults();
    std::optional<float> l2Weight; // unset: the models' default (EditRequest::defaults(info))

    void add(CLI::App* cmd);
    // Fills request (source latent included) from the parsed options.
    EditRequest buildRequest(const ModelSet& models) const;
};

// Runs the job with a terminal progress bar (or plain lines when stderr is no terminal),
// preview frames written to previewDir when given.
EditResult runWithProgress(const std::shared_ptr<ModelSet>& models, const EditRequest& request,
                           const std::string& previewDir);

// The metrics and settings of a finished edit, as `edit --metrics-out` writes them.
nlohmann::json metricsJson(const ModelSet& models, const EditRequest& request, const EditResult& result);
void writeMetrics(const std::string& path, const ModelSet& models, const EditRequest& request,
                  const EditResult& result);

} // namespace pae::cli
