#pragma once
// Options shared by `edit`, `sweep` and `bench`: which models, and the edit settings.
#include "core/edit/edit_request.h"
#include "core/edit/model_set.h"
#include "core/edit/photo.h"
#include "core/util/output_set.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pae::cli {

struct ModelOptions {
    std::string clipDir;
    std::string generatorFile;
    std::string identityFile;
    std::string encoderFile;
    std::string device = "auto";
    int threads = 0;
    void add(CLI::App* cmd);
    std::shared_ptr<ModelSet> load() const;
};

struct EditOptions {
    ModelOptions models;
    std::optional<uint64_t> seed;
    std::string latentFile;
    std::string photo;  // --photo: align, invert, edit, paste back
    int faceNumber = 0; // --face, from 0 (largest first)
    CLI::Option* faceOption = nullptr;
    std::string paste = "face"; // --paste face|crop
    std::string cropOut;        // --crop-out: the edited face as the generator drew it
    int invertSteps = InversionRequest{}.steps;
    float truncation = 0.7f;
    std::string prompt;
    std::optional<std::string> target; // unset: the corpus header's, else pae+
    std::string basis = "pca";
    std::string resolution = "clip";
    // --layers: W+ rows the edit moves ("0-3,7", "all"); --space: w+ (a Δw per row) or w (one
    // Δw for every moved row). Unset: the corpus header's (CorpusDefaults), else all rows in W+.
    std::optional<std::string> layers;
    std::optional<std::string> space;
    std::string previewDir;
    std::string out;
    std::string latentOut;
    std::string metricsOut;
    std::string presetOut;          // edit: a .preset file; sweep: a folder, one preset per λ
    bool presetOutIsFolder = false; // sweep
    bool noClobber = false;
    EditRequest request = EditRequest::defaults();
    std::optional<float> l2Weight; // unset: the corpus header's, else the models' default (EditRequest::defaults)
    CLI::Option* idWeightOption = nullptr;
    CLI::Option* lambdaOption = nullptr; // edit's --lambda; unset: the models' default λ (sweep sets its own)

    void add(CLI::App* cmd);
    // Fills request from the parsed options; the source latent from --seed or --latent, or
    // `source` (a photo's inverted face) when given.
    EditRequest buildRequest(const ModelSet& models, const Latent* source = nullptr) const;
    // --photo: the photo read (EXIF orientation applied) and face --face inverted, with
    // progress on stderr; the built-in models' warning line first. Throws Error for a photo
    // without that face, Cancelled on Ctrl-C.
    struct Photo {
        ImageRGB image;
        PhotoInversion face;
    };
    Photo invertPhoto(const std::shared_ptr<ModelSet>& models) const;
};

// Where an edit or sweep writes, checked and claimed before the work starts (see
// OutputSet): temporaries for the image, the latents (one per λ: "-0", "-1", … before the
// extension when there are several) and the metrics; the preview folder as given.
struct EditOutputs {
    OutputSet set;
    std::filesystem::path image;
    std::vector<std::filesystem::path> latents;
    std::filesystem::path metrics;
    std::filesystem::path previewDir;
    std::vector<std::filesystem::path> presets; // --preset-out: one per λ
    std::filesystem::path crop;                 // --crop-out
    explicit EditOutputs(bool noClobber) : set(noClobber) {}
};
std::unique_ptr<EditOutputs> planEditOutputs(const EditOptions& options, size_t lambdaCount);

// Runs the job with a terminal progress bar (or plain lines when stderr is no terminal),
// preview frames written to outputs.previewDir when given. Ctrl-C cancels: throws
// pae::Cancelled; a job that optimized nothing (NaN at the first step) throws pae::Error.
EditResult runWithProgress(const std::shared_ptr<ModelSet>& models, const EditRequest& request, EditOutputs& outputs);

// An image inverted as it is (framed like the generator's faces), with progress on stderr.
InversionResult invertWithProgress(const std::shared_ptr<ModelSet>& models, const InversionRequest& request,
                                   const std::string& what);
// A photo's face inverted with a progress line on stderr (Ctrl-C: Cancelled; nothing
// optimized: Error naming the photo; a NaN stop: a warning). `face` counts from 0.
PhotoInversion invertPhotoWithProgress(const std::shared_ptr<ModelSet>& models, const ImageRGB& photo, int face,
                                       const InversionRequest& request, const std::string& what);

// The metrics and settings of a finished edit, as `edit --metrics-out` writes them.
nlohmann::json metricsJson(const ModelSet& models, const EditRequest& request, const EditResult& result);
void writeMetrics(const std::filesystem::path& path, const ModelSet& models, const EditRequest& request,
                  const EditResult& result);

// --preset-out: where each λ's .preset goes (the file itself for edit, <folder>/lambda-<λ>.preset
// for sweep); the folder is made when missing.
std::vector<std::filesystem::path> presetPaths(const EditOptions& options);
// λ as grid labels, preset names and file names write it: "8", "2.5".
std::string formatLambda(float lambda);

// A latent file for the loaded generator; one saved from another generator's weights (same
// shape, say a retrained one) draws another face, which a warning on stderr says, naming it.
Latent loadLatentWithWarning(const ModelSet& models, const std::filesystem::path& path);
// The built-in SynthFace models' edit defaults (EditRequest::defaults for them).
EditRequest builtinDefaults();
// "default 8, on the built-in SynthFace models 2": a setting's two defaults, for --help.
std::string defaultsHelp(float paper, float builtin);
// Writes the preset of λ k to paths[k] (the output set's temporaries).
void writeEditPresets(const std::vector<std::filesystem::path>& paths, const ModelSet& models,
                      const EditRequest& request, const EditResult& result);

} // namespace pae::cli
