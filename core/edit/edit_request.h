#pragma once
#include "core/edit/model_set.h"
#include "core/edit/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pae {

struct Corpus;

// Everything one edit needs, by value. The initialisers below are the defaults (the paper's
// settings, DESIGN.md §4); defaults(models) adjusts them for the models, nowhere else.
struct EditRequest {
    Latent source;                  // the face, as W+
    Latent start;                   // where the optimization starts; empty: the source. The L2
                                    // term and the PAE target stay those of the source ("refine
                                    // a preset on this face" starts from source + Δw)
    std::string prompt;             // "a happy face"
    std::string corpus = "emotion"; // a corpus name in prompts/ or a file path
    TargetKind target = TargetKind::PaePlus;
    BasisKind basis = BasisKind::Pca;
    int pcaComponents = 10;
    std::vector<float> lambdas{8.0f}; // one batch entry per λ
    int steps = 200;
    float learningRate = 0.1f;
    float l2Weight = 0.008f;
    float idWeight = 0.005f; // used only when an identity model is loaded
    // Which rows of W+ the edit moves, and how. Empty `layers`: every row. `sharedOffset`:
    // one Δw added to every moved row (an edit in W, as a generator trained without style
    // mixing knows it) instead of one Δw per row (W+).
    std::vector<int> layers;
    bool sharedOffset = false;
    ResolutionMode resolution = ResolutionMode::Clip;
    uint64_t seed = 0;
    int previewEvery = 10; // 0: no previews
    int previewSize = 256; // longest side of preview frames

    // The paper's settings (DESIGN.md §4): the initialisers above.
    static EditRequest defaults() { return EditRequest{}; }
    // The settings for these models: the paper's, except on the built-in SynthFace world,
    // whose W is far smaller than FFHQ's and needs a stronger pull towards the start
    // (kSynthFaceL2Weight), whose identity term costs half a step for no measured gain
    // (kSynthFaceIdWeight: off), and where pae+ keeps other attributes best at λ 2
    // (kSynthFaceLambda).
    static EditRequest defaults(const ModelInfo& models);
    // The same with the edit settings the corpus's header asks for (CorpusDefaults: l2,
    // layers, space, target); the request's `corpus` field is the caller's to set. Throws Error (a
    // bad file, like the corpus's other errors) naming the file and line when its layers do
    // not fit these models' latent.
    static EditRequest defaults(const ModelInfo& models, const Corpus& corpus);
    // Throws UsageError naming the field when a value is out of range.
    void validate() const;
};

// W+ rows as a user writes them: "0-3,7" (ranges and single rows, from 0; spaces allowed);
// "all" or "" is every row (an empty list). Throws UsageError naming `field` for anything
// else, a row outside 0…rows−1 or one listed twice.
std::vector<int> parseLayers(const std::string& text, int rows, const std::string& field);
// The list back as text ("0-3,7"; "all" for an empty list).
std::string formatLayers(const std::vector<int>& layers);

struct EditMetrics {
    float lambda = 0;
    float clipToTarget = 0; // cosine between CLIP(G(w*)) and the PAE target
    // Cosine of the identity embeddings of G(w*) and G(w0) (the pSp convention); none
    // without an identity model.
    std::optional<float> idSimilarity;
    float l2 = 0;   // ‖w* − w0‖², summed over layers and dims
    float loss = 0; // final total loss
};

struct EditResult {
    std::vector<float> lambdas;
    std::vector<Latent> latents;  // w* per λ
    std::vector<ImageRGB> images; // full resolution, per λ
    std::vector<EditMetrics> metrics;
    int stepsRun = 0;
    double seconds = 0;
    bool cancelled = false;
    std::string stopReason; // empty when it ran to the end; else why it stopped early
};

struct EditProgress {
    int step = 0; // steps done
    int steps = 0;
    std::vector<float> loss;     // per λ
    std::vector<float> clipLoss; // per λ: 1 − cos(CLIP image, target)
    double elapsedSeconds = 0;
};

} // namespace pae
