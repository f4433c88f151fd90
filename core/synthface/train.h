#pragma once
// `pae-cli synthface train`: the built-in SynthFace models, trained from a seed. The
// stages run in order, each in its own file (train_*.cpp):
//   vocabulary  BPE over the caption grammar and the corpora (every word one token)
//   clip        tiny CLIP, contrastive, on rendered faces and their captions
//   generator   tiny StyleGAN2, supervised: G(mapping(z)) ≈ render(gradedAttributesFromLatent(z))
//   regressor   image → attributes, to measure edits
//   identity    a small ArcFace-layout network: the world's identity (face width, skin
//               tone, background) as an embedding, for the identity term (train_facenets.cpp)
//   encoder     a small e4e-layout encoder for the generator: a face's W+ in one pass
//   quality     the report (train_quality.cpp), also run alone by `pae-cli synthface check`
// Outputs in `out`: clip/ (Hugging Face layout), generator.safetensors, regressor.safetensors,
// identity.safetensors, encoder.safetensors, training-report.json.
#include "core/models/clip.h"
#include "core/models/stylegan2.h"
#include "core/text/bpe_trainer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pae::synthface {

// One line of progress (losses, speed); the CLI prints it.
using TrainLog = std::function<void(const std::string& line)>;

// The sizes the built-in models are trained at.
constexpr int kTrainImageSize = 64;
constexpr int64_t kLatentDim = 16; // the 15 attribute dimensions and one free one

// Every step count is multiplied by scale (at least one step remains), so that tests run
// the whole pipeline in seconds.
int64_t scaledSteps(int64_t steps, double scale);

// Lines "stage step/steps key value … | s/step, eta" at a fixed interval.
class StepReporter {
public:
    StepReporter(std::string stage, int64_t steps, TrainLog log);
    bool due(int64_t step) const; // step is 1-based
    void report(int64_t step, const std::string& values);
    double elapsedSeconds() const;

private:
    std::string m_stage;
    int64_t m_steps;
    int64_t m_every;
    TrainLog m_log;
    std::chrono::steady_clock::time_point m_start;
};

// Learning rate: linear warm-up, then a cosine from lr down to lr·floor.
double warmupCosine(int64_t step, int64_t steps, int64_t warmup, double lr, double floor);

// ── vocabulary (train_vocab.cpp) ────────────────────────────────────────────────────
// Words of the caption grammar and of every corpus in corpusRoot (templates included).
std::map<std::string, int64_t> synthfaceWordCounts(const std::filesystem::path& corpusRoot);
// Learns the vocabulary, writes vocab.json and merges.txt into clipDir, and checks that
// every word is one token; returns the vocabulary size.
int64_t trainVocabulary(const std::filesystem::path& corpusRoot, const std::filesystem::path& clipDir,
                        const TrainLog& log);

// ── CLIP (train_clip.cpp) ───────────────────────────────────────────────────────────
models::ClipConfig synthfaceClipConfig(int64_t vocabSize);
struct ClipTrainOptions {
    int64_t steps = 1000;
    int64_t batch = 64;
    double lr = 1e-3;
    double weightDecay = 0.1;
    double probeWeight = 2.0; // the attribute read-out's loss beside the contrastive one
    uint64_t seed = 1;
};
// Trains on faces and captions and writes config.json and model.safetensors into clipDir,
// which must already hold the vocabulary.
void trainClip(const std::filesystem::path& clipDir, const ClipTrainOptions& options, const TrainLog& log);
// config.json with Hugging Face's field names.
nlohmann::json clipConfigJson(const models::ClipConfig& config);

// ── generator (train_generator.cpp) ─────────────────────────────────────────────────
models::StyleGan2Config synthfaceGeneratorConfig();
struct GeneratorTrainOptions {
    int64_t steps = 1000;
    int64_t batch = 16;
    // Five times the port's GAN rate: supervised training has no adversary to keep pace
    // with. In 1,000-step trials 1e-2 reached 15.3 dB and a smile R² of 0.60 (read by the
    // regressor), 5e-3 14.6 dB and 0.29, 2e-3 13.8 dB and 0.27.
    double lr = 1e-2;
    // Weight of the attribute loss: the regressor's loss on the generated faces against
    // the attributes they stand for (0: pixels only, no regressor needed).
    double attributeWeight = 0.3;
    // Coarse to fine: the first share16 of the steps train the 16² skip output, the next
    // share32 the 32² one, the rest the full image (generatorStepResolution).
    double share16 = 0.37;
    double share32 = 0.29;
    // The mapping layers' learning rate over the synthesis layers' (it undoes the port's
    // lr_mul 0.01 on them: supervised training has no adversary to keep pace with).
    double mappingLrScale = 100.0;
    uint64_t seed = 1;
};
// The output size step (1-based) of a run with these options trains: 16, 32 or kTrainImageSize.
int64_t generatorStepResolution(const GeneratorTrainOptions& options, int64_t step);
// Trains and writes the generator ("g_ema.…" and "latent_avg"), then reloads it with
// loadStyleGan2 to prove the file is what the application opens. regressorFile is the
// trained attribute regressor the attribute loss reads the faces with.
void trainGenerator(const std::filesystem::path& file, const std::filesystem::path& regressorFile,
                    const GeneratorTrainOptions& options, const TrainLog& log);

// ── regressor (train_regressor.cpp) ─────────────────────────────────────────────────
struct RegressorTrainOptions {
    int64_t steps = 1000;
    int64_t batch = 64;
    double lr = 1e-3;
    uint64_t seed = 1;
};
void trainRegressor(const std::filesystem::path& file, const RegressorTrainOptions& options, const TrainLog& log);

// ── identity and encoder (train_facenets.cpp) ─────────────────────────────────────────
// The built-in networks have the layouts of the files users bring (ArcFace IR-SE50, e4e),
// narrower, so that one loader and one engine path serve both.
struct IdentityTrainOptions {
    int64_t steps = 600;
    int64_t pairs = 16;         // faces per step: pairs of the same identity, everything else redrawn
    double lr = 2e-3;
    double temperature = 0.1;   // of the contrastive (InfoNCE) loss over the batch
    uint64_t seed = 1;
};
// Trains, writes `file` (ArcFace keys) and returns the held-out measurement: mean cosine of
// same-identity and of different-identity pairs and how often a same pair beats a
// different one.
nlohmann::json trainIdentity(const std::filesystem::path& file, const IdentityTrainOptions& options,
                             const TrainLog& log);
struct EncoderTrainOptions {
    int64_t steps = 600;
    int64_t batch = 16;
    double lr = 2e-3;
    double pixelWeight = 1.0;   // the generator's image of the encoded W+ against the input
    uint64_t seed = 1;
};
// Trains on the generator's own faces (W+ known) and on renders (pixels only), writes
// `file` ("encoder.…" keys and latent_avg) and returns the held-out PSNRs of encoding alone.
nlohmann::json trainEncoder(const std::filesystem::path& file, const std::filesystem::path& generatorFile,
                            const EncoderTrainOptions& options, const TrainLog& log);

// ── quality (train_quality.cpp) ─────────────────────────────────────────────────────
struct QualityOptions {
    uint64_t seed = 1000003; // held-out faces: streams apart from every training stream
    double scale = 1.0;      // shrinks the number of faces checked (at least a few remain)
};
// Measures the models in dir (clip/, generator.safetensors, regressor.safetensors) and
// returns the report; writes nothing.
nlohmann::json measureSynthFaceModels(const std::filesystem::path& dir, const QualityOptions& options,
                                      const TrainLog& log);
// The same, then writes
// dir/training-report.json (keeping a "training" section already there) and returns it.
nlohmann::json checkSynthFaceModels(const std::filesystem::path& dir, const QualityOptions& options,
                                    const TrainLog& log);
// A few lines for a person: every measured number and whether it meets its bar.
std::string summarizeReport(const nlohmann::json& report);

// ── everything (train.cpp) ──────────────────────────────────────────────────────────
struct TrainOptions {
    std::filesystem::path out;
    uint64_t seed = 1;
    double scale = 1.0;
    // The stages to run (trainStageNames()); empty: all of them. A stage that needs an
    // earlier one's output reads it from `out` (clip needs the vocabulary, quality every
    // model), so one model can be retrained alone.
    std::vector<std::string> stages;
    // 2: the CLIP lane (vocabulary, clip) and the generator lane (regressor, generator) run
    // side by side, each on the intra-op threads set for the process (one suits a two-core
    // machine); 1: one after the other. The models are the same either way.
    int lanes = 2;
};
const std::vector<std::string>& trainStageNames();
nlohmann::json trainSynthFace(const TrainOptions& options, const TrainLog& log);

} // namespace pae::synthface
