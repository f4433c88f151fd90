#pragma once
// The torch side of ModelSet: what EditJob and the benchmarks use. Not for ui/.
#include "core/edit/model_set.h"
#include "core/models/clip.h"
#include "core/models/irse.h"
#include "core/models/stylegan2.h"
#include "core/pae/corpus.h"
#include "core/pae/subspace.h"

#include <torch/types.h>

#include <map>
#include <mutex>

namespace pae::detail {

struct ModelSetImpl {
    ModelSetImpl(models::Clip clipModel, models::StyleGan2 generator, torch::Device dev)
        : device(dev), clip(std::move(clipModel)), gan(std::move(generator))
    {
    }
    torch::Device device{torch::kCPU};
    models::Clip clip;
    models::StyleGan2 gan;
    std::filesystem::path corpusRoot;
    std::string clipSource;
    std::string generatorSource;
    bool builtin = false;
    std::optional<uint64_t> firstSeed;
    std::optional<models::IdentityNet> identity;
    std::string identitySource;
    std::optional<models::Encoder> encoder;
    std::string encoderSource;

    // Normalized text embeddings [N,d], no gradients.
    torch::Tensor embedTexts(const std::vector<std::string>& texts) const;
    // Projected image features [N,d] of generator-range images [N,3,H,W]; differentiable.
    torch::Tensor embedGeneratorImages(const torch::Tensor& images) const;
    // Identity embeddings [N,e] of generator-range images [N,3,H,W] (identityCrop, then
    // ArcFace); differentiable. Only with an identity model.
    torch::Tensor embedIdentity(const torch::Tensor& images) const;
    // The corpus' basis, cached in memory and (embeddings) on disk.
    Subspace subspaceFor(const Corpus& corpus, BasisKind kind, int pcaComponents) const;
    Corpus corpus(const std::string& nameOrPath) const;
    // The corpus' normalized text embeddings [m,d] on the CPU, cached in memory and on disk.
    torch::Tensor corpusEmbeddings(const Corpus& corpus) const;

    torch::Tensor latentToTensor(const Latent& latent) const;  // [1,n,d] on device
    Latent tensorToLatent(const torch::Tensor& wPlus) const;  // one row [n,d] or [1,n,d]

private:
    mutable std::mutex m_mutex;
    mutable std::map<std::string, Subspace> m_subspaces;
    mutable std::map<std::string, torch::Tensor> m_embeddings; // by corpus content hash
};

// Generator range [-1,1] → [0,1], the image CLIP is shown.
torch::Tensor generatorToUnit(const torch::Tensor& images);

} // namespace pae::detail
