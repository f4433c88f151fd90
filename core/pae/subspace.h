#pragma once
// The corpus subspace of DESIGN §4.2: k orthonormal directions in CLIP's joint space.
#include "core/pae/kinds.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace pae {

struct Subspace {
    torch::Tensor basis; // [k, d], orthonormal rows, float32, on the device of the input
    BasisKind kind = BasisKind::Pca;
    // PCA: the fraction (0..1) of the standardized corpus variance the k axes carry.
    // Gram–Schmidt: 1, since the basis spans the given vectors exactly.
    double explainedVariance = 0;
    std::string corpus; // the corpus's name, for messages; set by whoever built the subspace

    int rank() const { return basis.defined() ? static_cast<int>(basis.size(0)) : 0; }
    // "PCA k=10 (62% of variance)", "Gram–Schmidt k=6"
    std::string describe() const;
};

// Principal axes of the corpus embeddings [m, d] (rows normalized). Each dimension is
// standardized over the corpus first (zero mean, unit variance; a constant dimension is
// only centred), as the paper does with scikit-learn's StandardScaler + PCA. Axes are the
// top-k right singular vectors of the standardized matrix, each oriented so its
// largest-magnitude entry is positive (the first such entry on ties), so the same
// corpus always gives the same basis. Throws pae::Error when k is not in
// 1..min(m−1, d) (centring removes one dimension) or the corpus has fewer than k
// independent directions.
Subspace pcaBasis(const torch::Tensor& embeddings, int k);

// Orthonormalizes the rows of vectors [k, d] in order (so b_0 ∥ v_0). A vector that is
// (almost) a combination of those before it is an error naming its index and, when
// names are given (one per row), its prompt.
Subspace gramSchmidtBasis(const torch::Tensor& vectors, const std::vector<std::string>& names = {});

} // namespace pae
