#pragma once
// Corpus embeddings cached on disk (DESIGN §4.1): embedding a few hundred prompts with
// a real CLIP takes seconds, and every edit with that corpus needs them.
//   <cacheDir()>/corpora/<modelHash>-<contentHash>.safetensors
// holds "embeddings" [m, d] float32 (rows normalized) and metadata naming the model hash,
// content hash, count and dim. A file that does not parse or does not match is logged
// as a warning and rebuilt; the cache is never trusted over the corpus.
#include "core/pae/corpus.h"

#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pae {

// Maps prompts (already templated) to their text embeddings [m, d], in order.
using EmbedFn = std::function<torch::Tensor(const std::vector<std::string>&)>;

// The cache file for a model and corpus content in `dir` (default: cacheDir()/corpora).
std::filesystem::path embeddingCacheFile(const std::string& modelHash, const std::string& contentHash,
                                         const std::filesystem::path& dir = {});

// The corpus's normalized embeddings [m, d] float32 on the CPU: from the cache when a
// valid file is there, else from embedFn (then written atomically). Throws pae::Error when
// embedFn returns the wrong shape, non-finite or zero rows. A cache that cannot be
// written is a warning, not an error: the embeddings are still returned.
torch::Tensor getOrCompute(const std::string& modelHash, const Corpus& corpus, const EmbedFn& embedFn,
                           const std::filesystem::path& dir = {});

} // namespace pae
