#pragma once
// The SynthFace edit benchmark: edits measured against ground truth with the attribute
// regressor. Did the asked attribute move the asked way (accuracy), did the others stay
// (drift), does the change grow with λ (Spearman), did the identity stay (identity)?
#include "core/edit/types.h"
#include "core/synthface/attributes.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pae::synthface {

// One prompt with the attribute it should move and the way.
struct EvalProbe {
    std::string prompt;
    std::string corpus; // in prompts/synthface/
    Attr attribute;
    int direction = +1; // +1 more, -1 less; for Binary/Categorical: probability up
    int category = -1;  // HairColor: the HairColorIndex asked for
};
const std::vector<EvalProbe>& defaultProbes();

struct EvalOptions {
    int faces = 24;
    uint64_t firstSeed = 1000; // face i is seed firstSeed + i
    std::vector<float> lambdas{2.0f, 5.0f, 8.0f};
    int steps = 200;               // the studio's default edit
    std::optional<float> l2Weight; // unset: the models' default (EditRequest::defaults(info))
    std::optional<float> idWeight; // unset: the default identity weight (EditRequest::idWeight)
    std::vector<TargetKind> targets{TargetKind::Text, TargetKind::Pae, TargetKind::PaePlus, TargetKind::PaePlusCorpus};
    float margin = 0.1f;      // normalized change that counts as "moved"
    std::string corpusFilter; // only probes of this corpus, when set
    std::string promptFilter; // only this benchmark prompt, when set
    // W+ rows the edits move ("0-3", "all") and whether one Δw moves them all (EditRequest::
    // layers, sharedOffset). Unset, like l2Weight: each corpus's header, else all rows in W+.
    std::optional<std::string> layers;
    std::optional<bool> sharedOffset;
};

struct EvalScores {
    double accuracy = 0;            // share of edits that moved the target the asked way ≥ margin
    double drift = 0;               // mean |Δ| (normalized) of attributes outside the probe's corpus
    std::optional<double> spearman; // mean rank correlation of λ and the target change
    // The same over the (face, prompt) pairs whose change differs across λ by at least the
    // margin (spearmanMovingPairs of spearmanPairs): a pair that hardly moves at any λ, or
    // moves all the way already at the smallest, ranks differences of a few thousandths.
    std::optional<double> spearmanMoving;
    int spearmanPairs = 0;
    int spearmanMovingPairs = 0;
    double identity = 0; // mean |Δ| (normalized) of identity attributes
    int edits = 0;       // (face, probe, λ) edits counted for accuracy
    // Mean |Δ| (normalized) per attribute outside the probe's corpus, by attribute name
    // ("glasses", "skin_tone", …): which attributes the drift is made of.
    std::map<std::string, double> driftByAttribute;
    // Share of the edits not about glasses that kept them as they were (worn or not, as
    // the regressor reads them before and after); unset when there were none.
    std::optional<double> glassesKept;
};

// One edit of the benchmark: what the regressor read the asked attribute do.
struct EvalEdit {
    uint64_t seed = 0;
    std::string prompt;
    std::string target;   // "text", "pae", …
    float lambda = 0;     // text: the first λ (it ignores λ)
    double change = 0;    // the attribute's change the asked way (normalized; probability for hair colour)
    bool counted = false; // the attribute had room to move (headroom ≥ margin)
    bool moved = false;   // counted, and changed the asked way by ≥ margin
};

struct EvalReport {
    std::map<std::string, EvalScores> overall;                         // by target name
    std::map<std::string, std::map<std::string, EvalScores>> byCorpus; // target → corpus → scores
    std::map<std::string, std::map<std::string, EvalScores>> byPrompt; // target → prompt → scores
    std::map<std::string, std::map<std::string, EvalScores>> byLambda; // target → λ ("2", "0.5") → scores
    std::vector<EvalEdit> edits;                                       // every edit, in the order run
    EvalOptions options;
    // The settings each corpus's edits ran with: "L2 0.1, rows all in W+".
    std::map<std::string, std::string> settingsByCorpus;
    float idWeight = 0; // the identity weight they ran with (0 also when no identity model is loaded)
    double seconds = 0;
    std::string toMarkdown() const;
    std::string toJson() const;
};

// How far a preset carries: for each probe, a preset is learned on one face (the studio's
// default edit: pae+, λ, steps) and applied to `faces` other faces, against per-face
// optimization on the same faces and against the preset refined on each face.
struct PresetEvalOptions {
    int faces = 50;
    uint64_t firstSeed = 1000;   // face i is seed firstSeed + i
    uint64_t presetSeed = 3;     // the face each preset is learned on
    std::optional<float> lambda; // unset: the models' default λ (EditRequest::defaults)
    int steps = 200;             // per-face optimization and the preset's own edit
    int refineSteps = 50;        // "refine on this face" (0: not measured)
    std::optional<float> l2Weight;
    float margin = 0.1f;
    std::string corpusFilter;        // only probes of this corpus, when set
    bool firstProbePerCorpus = true; // one probe per corpus (the first); false: every probe
};

struct PresetMethodScores {
    EvalScores scores;
    double secondsPerFace = 0; // mean wall time to edit one face this way
};

struct PresetEvalRow {
    EvalProbe probe;
    std::map<std::string, PresetMethodScores> methods; // "per-face", "preset", "preset+refine"
};

struct PresetEvalReport {
    std::vector<PresetEvalRow> rows;
    std::map<std::string, PresetMethodScores> overall;
    PresetEvalOptions options;
    // The settings each corpus's presets were learned with: "L2 0.1, rows all in W+".
    std::map<std::string, std::string> settingsByCorpus;
    double seconds = 0;
    std::string toMarkdown() const;
    std::string toJson() const;
};

PresetEvalReport runPresetEval(const PresetEvalOptions& options, const std::function<void(int, int)>& progress = {});

// How much of a face survives inversion, the step every photo takes before it is edited:
// held-out renders of the world (drawn by the renderer, which the generator only imitates)
// are inverted with one mix of the inversion's terms, and the regressor reads the render
// and the reconstruction. Agreement is between those two readings, so the regressor's own
// error against the true attributes cancels.
struct InversionEvalOptions {
    int faces = 6;
    uint64_t firstSeed = 90001; // face i is the render of seed firstSeed + i
    int steps = 300;            // InversionRequest::steps
    float perceptualWeight = 0.f;
    float meanWeight = 0.f;
    bool useEncoder = true; // start from the built-in encoder's W+
};

struct InversionEvalReport {
    InversionEvalOptions options;
    std::vector<double> psnr;    // dB, per face, at the inversion's resolution
    std::vector<double> seconds; // per face
    // Mean |Δ| (normalized, as the edit benchmark's drift) between the two readings, over
    // faces and attributes, and per attribute by name.
    double attributeChange = 0;
    std::map<std::string, double> changeByAttribute;
    double binaryAgreement = 0;    // share of (face, bald/glasses/beard) read the same way (p ≥ 0.5)
    double hairColorAgreement = 0; // share of faces whose likeliest hair colour is read the same
    std::string toMarkdown() const;
    std::string toJson() const;
};

// The built-in models (with their encoder) and regressor. progress(done, total) per face.
InversionEvalReport runInversionEval(const InversionEvalOptions& options,
                                     const std::function<void(int, int)>& progress = {});

// Runs the benchmark on the built-in models (prompts from prompts/synthface/); the
// regressor is read from the built-in models folder. progress(done, total) after each job.
EvalReport runEval(const EvalOptions& options, const std::function<void(int, int)>& progress = {});

} // namespace pae::synthface
