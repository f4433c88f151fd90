#include "core/pae/subspace.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace pae {

namespace {

// Below this, a direction is at the level of the differences between CLIP backends
// (fp16 weights, CPU vs CUDA kernels reach ~1e-3 in cosine): it carries no meaning,
// only amplified noise.
constexpr double kDependentTolerance = 1e-3;

std::string shapeOf(const torch::Tensor& t)
{
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

void requireMatrix(const torch::Tensor& t, const char* what)
{
    if (!t.defined())
        throw Error(std::string(what) + ": no tensor given");
    if (t.dim() != 2 || t.size(0) == 0 || t.size(1) == 0)
        throw Error(std::string(what) + ": expected a non-empty [rows, dim] matrix, got " + shapeOf(t));
    if (!torch::isfinite(t).all().item<bool>())
        throw Error(std::string(what) + ": contains NaN or Inf");
}

} // namespace

std::string Subspace::describe() const
{
    if (kind == BasisKind::GramSchmidt)
        return "Gram–Schmidt k=" + std::to_string(rank());
    char buf[64];
    std::snprintf(buf, sizeof buf, "PCA k=%d (%.0f%% of variance)", rank(), 100.0 * explainedVariance);
    return buf;
}

Subspace pcaBasis(const torch::Tensor& embeddings, int k)
{
    requireMatrix(embeddings, "PCA");
    const int64_t m = embeddings.size(0);
    const int64_t d = embeddings.size(1);
    const int64_t maxK = std::min(m - 1, d);
    if (k < 1 || k > maxK)
        throw Error("PCA: asked for " + std::to_string(k) + " components, but " + std::to_string(m) +
                    " prompts of dimension " + std::to_string(d) + " give at most " + std::to_string(maxK) +
                    (m - 1 < d ? " (one fewer than the prompts: centring removes one)" : ""));

    // float64 on the CPU: the result must not depend on the device or on float32 rounding,
    // and the matrix is small (a few hundred prompts).
    const torch::Tensor x = embeddings.detach().to(torch::kCPU, torch::kFloat64);
    const torch::Tensor mean = x.mean(0, /*keepdim=*/true);
    // Population std (ddof 0), like StandardScaler; it only rescales all columns alike
    // compared to ddof 1, so the axes are the same either way.
    torch::Tensor stdev = (x - mean).pow(2).mean(0, true).sqrt();
    // A dimension constant over the corpus gets scale 1 (StandardScaler does the same):
    // it stays zero after centring instead of becoming 0/0.
    stdev = torch::where(stdev > 1e-12, stdev, torch::ones_like(stdev));
    const torch::Tensor z = (x - mean) / stdev;

    auto [u, sv, vh] = torch::linalg_svd(z, /*full_matrices=*/false);
    const torch::Tensor var = sv.pow(2);
    const double total = var.sum().item<double>();
    const double kth = sv[k - 1].item<double>();
    if (total <= 0 || kth <= kDependentTolerance * sv[0].item<double>())
        throw Error("PCA: the corpus spans fewer than " + std::to_string(k) +
                    " independent directions; ask for fewer components or add varied prompts");

    torch::Tensor basis = vh.slice(0, 0, k).clone();
    for (int64_t r = 0; r < k; ++r) {
        const int64_t at = basis[r].abs().argmax().item<int64_t>();
        if (basis[r][at].item<double>() < 0)
            basis[r].neg_();
    }

    Subspace out;
    out.basis = basis.to(embeddings.device(), torch::kFloat32);
    out.kind = BasisKind::Pca;
    out.explainedVariance = var.slice(0, 0, k).sum().item<double>() / total;
    return out;
}

Subspace gramSchmidtBasis(const torch::Tensor& vectors, const std::vector<std::string>& names)
{
    requireMatrix(vectors, "Gram–Schmidt");
    const int64_t k = vectors.size(0);
    const int64_t d = vectors.size(1);
    if (!names.empty() && static_cast<int64_t>(names.size()) != k)
        throw Error("Gram–Schmidt: " + std::to_string(names.size()) + " names for " + std::to_string(k) +
                    " vectors");
    if (k > d)
        throw Error("Gram–Schmidt: " + std::to_string(k) + " vectors cannot be independent in dimension " +
                    std::to_string(d));

    const torch::Tensor v = vectors.detach().to(torch::kCPU, torch::kFloat64);
    torch::Tensor basis = torch::zeros({k, d}, torch::kFloat64);
    for (int64_t r = 0; r < k; ++r) {
        torch::Tensor w = v[r].clone();
        const double norm0 = w.norm().item<double>();
        // Two passes of modified Gram–Schmidt: one pass leaves errors growing with the
        // condition number, and CLIP prompts are close to each other (cos ≈ 0.8).
        for (int pass = 0; pass < 2; ++pass)
            for (int64_t j = 0; j < r; ++j)
                w -= w.dot(basis[j]) * basis[j];
        const double residual = w.norm().item<double>();
        if (norm0 == 0 || residual <= kDependentTolerance * norm0) {
            std::string who = "row " + std::to_string(r) + " (0-based)";
            if (!names.empty())
                who = "prompt " + std::to_string(r + 1) + " '" + names[static_cast<size_t>(r)] + "'";
            throw Error("Gram–Schmidt: " + who +
                        (norm0 == 0 ? " is zero" : " is (almost) a combination of the ones before it") +
                        "; remove it or pick a more distinct prompt");
        }
        basis[r] = w / residual;
    }

    Subspace out;
    out.basis = basis.to(vectors.device(), torch::kFloat32);
    out.kind = BasisKind::GramSchmidt;
    out.explainedVariance = 1.0;
    return out;
}

} // namespace pae
