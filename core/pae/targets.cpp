#include "core/pae/targets.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace pae {

namespace {

std::string fmt(const char* format, double value)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, format, value);
    return buf;
}

std::string promptName(const std::string& prompt)
{
    return prompt.empty() ? "the prompt" : "the prompt '" + prompt + "'";
}

std::string corpusName(const Subspace& subspace)
{
    return subspace.corpus.empty() ? "this corpus" : "the corpus '" + subspace.corpus + "'";
}

// [d] float64 unit vector; throws naming `what` when it cannot be one.
torch::Tensor unitVector(const torch::Tensor& x, const char* what)
{
    if (!x.defined())
        throw Error(std::string("PAE target: no ") + what + " embedding given");
    if (x.numel() == 0 || x.dim() > 2 || (x.dim() == 2 && x.size(0) != 1))
        throw Error(std::string("PAE target: the ") + what + " embedding must be one vector, got " +
                    std::to_string(x.dim()) + "-d with " + std::to_string(x.numel()) + " values");
    const torch::Tensor v = x.detach().reshape({-1}).to(torch::kFloat64);
    if (!torch::isfinite(v).all().item<bool>())
        throw Error(std::string("PAE target: the ") + what + " embedding contains NaN or Inf");
    const double norm = v.norm().item<double>();
    if (norm == 0)
        throw Error(std::string("PAE target: the ") + what + " embedding is zero");
    return v / norm;
}

torch::Tensor basisFor(const Subspace& subspace, int64_t d, const torch::Device& device)
{
    const torch::Tensor& b = subspace.basis;
    if (b.dim() != 2 || b.size(0) == 0 || b.size(1) != d)
        throw Error("PAE target: the basis of " + corpusName(subspace) + " has shape [" +
                    (b.dim() == 2 ? std::to_string(b.size(0)) + ", " + std::to_string(b.size(1))
                                  : std::to_string(b.dim()) + "-d") +
                    "], expected [k, " + std::to_string(d) + "] (was it built with another CLIP model?)");
    return b.detach().to(device, torch::kFloat64);
}

std::string noComponentMessage(const std::string& prompt, const Subspace& subspace, double s)
{
    return promptName(prompt) + " has (almost) no component in " + corpusName(subspace) + " (s = " + fmt("%.2g", s) +
           "): pick a corpus that this prompt belongs to";
}

} // namespace

torch::Tensor targetFormula(TargetKind kind, const torch::Tensor& i, const torch::Tensor& t, const torch::Tensor& basis,
                            double lambda)
{
    switch (kind) {
    case TargetKind::Text:
        return t.clone();
    case TargetKind::Pae:
        return i + lambda * t;
    case TargetKind::PaePlus:
    case TargetKind::PaePlusCorpus: {
        const torch::Tensor pi = basis.matmul(i); // [k]
        const torch::Tensor pt = basis.matmul(t); // [k]
        const torch::Tensor c = lambda * pi.abs();
        const torch::Tensor s = pt.abs().sum();
        // pae+ adds the prompt whole; pae+corpus only its part in the corpus subspace, so
        // nothing outside the corpus is asked to change.
        const torch::Tensor added = kind == TargetKind::PaePlus ? t : pt.matmul(basis);
        return i - lambda * pi.matmul(basis) + (c.sum() / s) * added;
    }
    }
    throw Error("PAE target: invalid TargetKind value " + std::to_string(static_cast<int>(kind)));
}

PaeTargets computeTargets(TargetKind kind, const torch::Tensor& i, const torch::Tensor& t, const Subspace& subspace,
                          const std::vector<float>& lambdas, const std::string& prompt)
{
    if (lambdas.empty())
        throw Error("PAE target: no λ values given");
    for (float lambda : lambdas)
        if (!std::isfinite(lambda))
            throw Error("PAE target: λ = " + std::to_string(lambda) + " is not a finite number");

    // float64: with s near the threshold, Σc/s magnifies float32 rounding a thousandfold.
    const torch::Tensor iu = unitVector(i, "image");
    const torch::Tensor tu = unitVector(t, "text").to(iu.device());
    if (iu.numel() != tu.numel())
        throw Error("PAE target: the image embedding has " + std::to_string(iu.numel()) +
                    " values and the text embedding " + std::to_string(tu.numel()) + " (two different CLIP models?)");

    PaeTargets out;
    torch::Tensor basis;
    const bool needBasis = kind == TargetKind::PaePlus || kind == TargetKind::PaePlusCorpus;
    if (needBasis || subspace.basis.defined()) {
        basis = basisFor(subspace, iu.numel(), iu.device());
        const torch::Tensor pt = basis.matmul(tu).abs();
        out.s = static_cast<float>(pt.sum().item<double>());
        out.subspaceNorm = static_cast<float>(pt.norm().item<double>());
        if (needBasis && std::abs(pt.sum().item<double>()) < kMinSubspaceComponent)
            throw Error(noComponentMessage(prompt, subspace, pt.sum().item<double>()));
    }

    std::vector<torch::Tensor> rows;
    rows.reserve(lambdas.size());
    for (float lambda : lambdas)
        rows.push_back(targetFormula(kind, iu, tu, basis, lambda));
    out.targets = torch::stack(rows).to(torch::kFloat32);
    return out;
}

PromptFit analyzePromptFit(const torch::Tensor& t, const Subspace& subspace, const std::string& prompt, TargetKind kind)
{
    const torch::Tensor tu = unitVector(t, "text");
    const torch::Tensor basis = basisFor(subspace, tu.numel(), tu.device());
    const torch::Tensor pt = basis.matmul(tu).abs();

    PromptFit fit;
    fit.s = pt.sum().item<double>();
    fit.subspaceNorm = pt.norm().item<double>();
    fit.randomNorm = std::sqrt(static_cast<double>(basis.size(0)) / static_cast<double>(basis.size(1)));
    const bool needsS = kind == TargetKind::PaePlus || kind == TargetKind::PaePlusCorpus;
    if (needsS && std::abs(fit.s) < kMinSubspaceComponent) {
        fit.usable = false;
        fit.warning = noComponentMessage(prompt, subspace, fit.s);
    } else if (fit.subspaceNorm < fit.randomNorm) {
        fit.warning = promptName(prompt) + " lies in " + corpusName(subspace) +
                      " no more than a random direction would (‖Bt‖ = " + fmt("%.2g", fit.subspaceNorm) +
                      ", random ≈ " + fmt("%.2g", fit.randomNorm) +
                      "): the edit will hardly change what this corpus describes";
    }
    return fit;
}

namespace {

// The nearest row of `set` to t: (cos, prompt).
std::pair<double, std::string> nearestOf(const torch::Tensor& t, const NamedEmbeddings& set)
{
    if (!set.embeddings.defined() || set.embeddings.size(0) == 0)
        return {-1.0, std::string()};
    const torch::Tensor cos = set.embeddings.to(torch::kFloat64).matmul(t.to(torch::kFloat64));
    const int64_t best = cos.argmax().item<int64_t>();
    return {cos[best].item<double>(), best < int64_t(set.prompts.size()) ? set.prompts[size_t(best)] : std::string()};
}

std::string inQuotes(const std::string& text) { return "\u201c" + text + "\u201d"; }

} // namespace

CorpusMembership corpusMembership(const torch::Tensor& t, const NamedEmbeddings& corpus,
                                  const NamedEmbeddings& unrelated, const std::vector<NamedEmbeddings>& others,
                                  const std::string& prompt)
{
    const torch::Tensor u = (t / t.norm().clamp_min(1e-12)).cpu();
    CorpusMembership m;
    std::tie(m.similarity, m.nearest) = nearestOf(u, corpus);
    std::tie(m.unrelatedSimilarity, m.nearestUnrelated) = nearestOf(u, unrelated);
    for (const NamedEmbeddings& other : others) {
        const auto [cos, nearest] = nearestOf(u, other);
        // Corpora can share prompts (emotion and emotion-basic): a tie is no reason to warn.
        if (cos > m.similarity + kCloserMargin && cos > m.closerSimilarity) {
            m.closerCorpus = other.name;
            m.closerSimilarity = cos;
            m.closerPrompt = nearest;
        }
    }
    const double dCorpus = 1.0 - m.similarity;
    const double dUnrelated = 1.0 - m.unrelatedSimilarity;
    if (!m.closerCorpus.empty()) {
        m.warn = true;
        m.warning = promptName(prompt) + " is nearer to the " + m.closerCorpus + " corpus (" +
                    inQuotes(m.closerPrompt) + ", cos " + fmt("%.3f", m.closerSimilarity) + ") than to " + corpus.name +
                    " (" + inQuotes(m.nearest) + ", cos " + fmt("%.3f", m.similarity) + "): pick " + m.closerCorpus +
                    ", or the edit may change the wrong things";
    } else if (dCorpus > kUnrelatedRatio * dUnrelated) {
        m.warn = true;
        m.warning = promptName(prompt) + " is not clearly part of " + corpus.name + ": its nearest prompt there (" +
                    inQuotes(m.nearest) + ", cos " + fmt("%.3f", m.similarity) +
                    ") is hardly nearer than an unrelated one (" + inQuotes(m.nearestUnrelated) + ", cos " +
                    fmt("%.3f", m.unrelatedSimilarity) + "): the edit may not do what it says";
    }
    return m;
}

} // namespace pae
