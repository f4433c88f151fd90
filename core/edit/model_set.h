#pragma once
// The loaded models, shared read-only by jobs. Torch-free interface (pimpl) so ui/ can
// hold one without LibTorch's headers.
#include "core/edit/types.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pae {

struct ModelPaths {
    std::filesystem::path clipDir;       // empty: the built-in SynthFace CLIP
    std::filesystem::path generatorFile; // empty: the built-in SynthFace generator
    std::filesystem::path identityFile;  // ArcFace IR-SE50 (model_ir_se50.pth); empty: none
    std::filesystem::path encoderFile;   // e4e (e4e_ffhq_encode.pt); empty: none
    std::string device = "auto";         // auto | cpu | cuda
    int threads = 0;                     // 0: LibTorch's default
};

struct ModelInfo {
    std::string clipDescription;
    std::string clipHash; // 16 hex digits over the CLIP weights' size, first and last MiB and config
    std::string generatorDescription;
    // 16 hex digits over the generator's weights (names, shapes, values; the same for a .pt
    // and a .safetensors holding them): tells a retrained generator from the one a session or
    // preset was made with when the shapes and the description are the same.
    std::string generatorHash;
    std::string device;
    int resolution = 0; // the generator's output size
    int numLatents = 0;
    int styleDim = 0;
    bool builtin = false;              // the SynthFace models
    std::filesystem::path corpusRoot;  // where corpus names are looked up (prompts/ or prompts/synthface/)
    std::optional<uint64_t> firstSeed; // the face to show first: the built-in world's neutral face (studio.json)
    std::string identityDescription;   // empty: no identity model (the identity weight does nothing)
    std::string encoderDescription;    // empty: no encoder (photos are inverted by optimization)
};

// What the corpus subspace says about a prompt before any edit runs.
struct PromptAnalysis {
    std::vector<std::string> corpusPrompts; // after the template
    std::string basisDescription;           // "PCA k=10 (62% of variance)" …
    float subspaceComponent = 0;            // s = Σ_j ⟨t, b_j⟩
    float subspaceNorm = 0;                 // ‖B t‖: how much of t lies in the subspace
    bool usable = true;                     // false: the prompt has no component in this corpus
    // Whether the prompt belongs to the corpus, calibrated against prompts that belong to
    // no corpus (prompts/null/unrelated.txt) and against the other corpora of the models:
    // the cosine of its nearest prompt in each (see pae::corpusMembership). warn when it
    // is not clearly nearer to this corpus (or cannot be used); warning says why.
    bool hasReading = false;    // false for an empty prompt: nothing is read
    float corpusSimilarity = 0; // nearest prompt of the corpus
    std::string nearestPrompt;
    float unrelatedSimilarity = 0; // nearest unrelated prompt
    std::string closerCorpus;      // another corpus with a nearer prompt, if any
    bool warn = false;
    std::string warning;
};

// How the text encoder reads a prompt: CLIP reads a fixed number of tokens (77 for real
// CLIP, fewer for the built-in one) and silently drops the rest.
struct PromptTokens {
    int tokens = 0;   // with the start and end tokens
    int limit = 0;    // the text encoder's context length
    std::string read; // the part of the prompt it reads (decoded, lowercased as CLIP sees it)
    std::string cut;  // the part it drops; empty when the prompt fits
    bool fits() const { return tokens <= limit; }
};

class ModelSet;
namespace detail {
struct ModelSetImpl;
// The engine's own view of the models (core/edit/model_set_impl.h): for the jobs, the
// benchmark and tests, never for ui/.
const ModelSetImpl& implOf(const ModelSet& models);
} // namespace detail

class ModelSet {
public:
    // Loads and validates both models; throws pae::Error naming the file and problem.
    static std::shared_ptr<ModelSet> load(const ModelPaths& paths);
    ~ModelSet();

    ModelInfo info() const;
    // A face from a seed: z → mapping → (truncation) → W+.
    Latent latentFromSeed(uint64_t seed, float truncation = 0.7f) const;
    // Reads a latent file (.safetensors with "w" [n_latent,dim] / [1,n_latent,dim] / [dim]).
    // `warning` (when given) says why the face may not be the one saved: the file records
    // another generator's weights (same shape, say a retrained one); empty otherwise.
    Latent loadLatent(const std::filesystem::path& path, std::string* warning = nullptr) const;
    void saveLatent(const Latent& latent, const std::filesystem::path& path) const;
    // Full-resolution image of a latent.
    ImageRGB render(const Latent& latent) const;
    // A quicker image for interaction (the live strength slider while dragging): the
    // generator stops at its largest output of at most maxSize² (its skip output there, as
    // the "clip resolution" edits do); the full image when maxSize reaches the generator's size.
    ImageRGB renderPreview(const Latent& latent, int maxSize) const;
    // Cheap (no model run): safe to call on every keystroke, from any thread.
    PromptTokens countTokens(const std::string& prompt) const;
    // The identity similarity of two faces (cosine of their ArcFace embeddings under the
    // pSp convention); throws pae::Error when no identity model is loaded.
    float identitySimilarity(const Latent& a, const Latent& b) const;
    PromptAnalysis analyzePrompt(const std::string& prompt, const std::string& corpus, BasisKind basis,
                                 int pcaComponents) const;

private:
    friend const detail::ModelSetImpl& detail::implOf(const ModelSet& models);
    explicit ModelSet(std::unique_ptr<detail::ModelSetImpl> impl);
    std::unique_ptr<detail::ModelSetImpl> d;
};

} // namespace pae
