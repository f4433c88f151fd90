#pragma once
// The CLIP targets of DESIGN §4.3–4.4, one per λ. With n(x) = x/‖x‖, i = n(image
// embedding), t = n(text embedding), B the corpus basis (rows b_j):
//   c_j = λ·|⟨i, b_j⟩|,  s = Σ_j |⟨t, b_j⟩|
//   text: T = t
//   pae:  T = i + λ·t
//   pae+: T = i − λ·Σ_j ⟨i, b_j⟩·b_j + (Σ_j c_j / s)·t
// Targets are not normalized: the loss compares them by cosine.
//
// One deliberate change to the paper's pae+, which writes T = i − Σ_j c_j·b_j + (Σ_j c_j / s)·t
// with s = Σ_j ⟨t, b_j⟩: both of its sums depend on the sign of each axis, and an axis has
// no sign of its own (PCA's comes from a convention, Gram–Schmidt's from the order of the
// prompts). Here the projection term is λ times the image's own projection on the
// subspace, and s takes absolute values, so nothing depends on the signs; where every
// ⟨i, b_j⟩ ≥ 0 and ⟨t, b_j⟩ ≥ 0 (a Gram–Schmidt basis of prompts that a real CLIP puts at
// positive cosines to faces, the case the paper's formula was written for) the two agree
// exactly. What the paper's signs did on the built-in models: "a happy face" in the emotion
// corpus had s < 0, the text entered with a negative weight and faces turned to noise;
// with the axes turned to face the prompt instead (this project's first fix) s > 0, but
// wherever the image and the prompt lie on opposite sides of an axis (black hair, "blonde
// hair") −c_j·b_j pushed the image further from the prompt, and pae+ changed the hair
// colour in 38% of the benchmark's edits where pae and text did in 86–88%.
#include "core/pae/kinds.h"
#include "core/pae/subspace.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace pae {

// pae+ divides by s. With t normalized, |s| below this is smaller than the differences
// between CLIP backends (fp16 weights, CPU vs CUDA: ~1e-3 in cosine), so even its sign is
// noise, and 1/s would turn that noise into a text weight of 1000·Σc or more.
constexpr double kMinSubspaceComponent = 1e-3;

struct PaeTargets {
    torch::Tensor targets;  // [L, d] float32, one row per λ, on the device of i
    float s = 0;            // Σ_j |⟨t, b_j⟩| (0 when no basis was given)
    float subspaceNorm = 0; // ‖B t‖: how much of t lies in the corpus subspace
};

// i, t: [d] (or [1, d]); normalized here, so any positive scale of either changes nothing.
// The basis may be undefined for the text and pae kinds, which do not use it. Throws
// pae::Error when shapes disagree, a vector is zero or not finite, lambdas is empty, or
// (pae+ and pae+corpus) |s| < kMinSubspaceComponent: then the message names the prompt and
// subspace.corpus and says to pick a corpus the prompt belongs to.
PaeTargets computeTargets(TargetKind kind, const torch::Tensor& i, const torch::Tensor& t, const Subspace& subspace,
                          const std::vector<float>& lambdas, const std::string& prompt = {});

// The bare formula for one λ on the vectors exactly as given (no normalization, no
// checks): computeTargets is this applied to n(i) and n(t). Exposed so its algebraic
// properties can be tested directly. pae+corpus is pae+ with t replaced by its projection
// on the subspace, Σ_j ⟨t, b_j⟩·b_j: the target differs from i only inside the subspace.
torch::Tensor targetFormula(TargetKind kind, const torch::Tensor& i, const torch::Tensor& t, const torch::Tensor& basis,
                            double lambda);

// What the corpus subspace says about a prompt before a run, without throwing for a bad
// fit. usable: computeTargets will accept it for this kind. warning: empty when all is
// well, else one sentence for the user (the first problem found, worst first).
struct PromptFit {
    double s = 0;            // Σ_j |⟨t, b_j⟩|, pae+'s divisor
    double subspaceNorm = 0; // ‖B t‖
    double randomNorm = 0;   // ‖B u‖ expected for a random unit u: sqrt(k/d)
    bool usable = true;
    std::string warning;
};
PromptFit analyzePromptFit(const torch::Tensor& t, const Subspace& subspace, const std::string& prompt = {},
                           TargetKind kind = TargetKind::PaePlus);

// Whether a prompt belongs to a corpus, calibrated against a null: prompts that belong to
// no corpus (prompts/null/unrelated.txt). The prompt belongs when its nearest corpus prompt
// is clearly nearer than its nearest unrelated prompt, in cosine distance 1 − cos:
// d(corpus) ≤ kUnrelatedRatio · d(unrelated), and no other corpus holds a nearer prompt.
// (The prompt's component in the corpus subspace, ‖Bt‖, cannot tell them apart: on the
// built-in models unrelated sentences and nonsense reach the same 0.66–0.80 as the
// corpus' own prompts; see README, "The wrong-corpus warning".)
struct NamedEmbeddings {
    std::string name;                 // a corpus name ("hairstyle"), or "unrelated prompts"
    torch::Tensor embeddings;         // [m,d], unit rows
    std::vector<std::string> prompts; // one per row
};
struct CorpusMembership {
    double similarity = 0; // cos to the nearest prompt of the corpus
    std::string nearest;
    double unrelatedSimilarity = 0; // cos to the nearest unrelated prompt
    std::string nearestUnrelated;
    std::string closerCorpus; // another corpus with a nearer prompt; empty when none
    double closerSimilarity = 0;
    std::string closerPrompt;
    bool warn = false;
    std::string warning; // one sentence when warn
};
constexpr double kUnrelatedRatio = 0.7;
constexpr double kCloserMargin = 1e-3; // another corpus must be nearer by more than this
// t: the prompt's unit embedding [d]; others: the other corpora the models know.
CorpusMembership corpusMembership(const torch::Tensor& t, const NamedEmbeddings& corpus,
                                  const NamedEmbeddings& unrelated, const std::vector<NamedEmbeddings>& others,
                                  const std::string& prompt);

} // namespace pae
