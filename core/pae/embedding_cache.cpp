#include "core/pae/embedding_cache.h"

#include "core/io/safetensors.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <map>

namespace pae {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "pae-corpus-embeddings/1";
constexpr const char* kTensor = "embeddings";
// Rows are stored normalized; a norm further than this from 1 means the file is not ours.
constexpr double kNormTolerance = 1e-3;

// The model hash comes from another module; anything that could escape the folder or
// collide after sanitizing is hashed instead of being used as a file name.
std::string fileSafe(const std::string& s)
{
    if (s.empty() || s.size() > 64)
        return fnv1a64Hex(s);
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return fnv1a64Hex(s);
    return s;
}

std::string shapeOf(const torch::Tensor& t)
{
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

// Returns why the file cannot be used, or an empty string and the tensor.
std::string readCached(const fs::path& file, const std::string& modelHash, const Corpus& corpus,
                       torch::Tensor& out)
{
    io::SafetensorsFile st(file);
    const auto& meta = st.metadata();
    const auto field = [&](const std::string& key) {
        auto it = meta.find(key);
        return it == meta.end() ? std::string("<missing>") : it->second;
    };
    if (field("format") != kFormat)
        return "format is '" + field("format") + "'";
    if (field("model_hash") != modelHash)
        return "model hash '" + field("model_hash") + "' is not '" + modelHash + "'";
    if (field("content_hash") != corpus.contentHash)
        return "content hash '" + field("content_hash") + "' is not '" + corpus.contentHash + "'";
    const std::string count = std::to_string(corpus.prompts.size());
    if (field("count") != count)
        return "count " + field("count") + " is not " + count;
    if (!st.contains(kTensor))
        return "no tensor '" + std::string(kTensor) + "'";
    const auto& info = st.info(kTensor);
    if (info.dtype != "F32")
        return "dtype " + info.dtype + " is not F32";
    torch::Tensor e = st.load(kTensor);
    if (e.dim() != 2 || e.size(0) != static_cast<int64_t>(corpus.prompts.size()) ||
        field("dim") != std::to_string(e.size(1)))
        return "shape " + shapeOf(e) + " does not match count " + count + " and dim " + field("dim");
    if (!torch::isfinite(e).all().item<bool>())
        return "it contains NaN or Inf";
    const double worst = (e.norm(2, 1) - 1).abs().max().item<double>();
    if (worst > kNormTolerance)
        return "its rows are not normalized";
    out = e;
    return {};
}

} // namespace

fs::path embeddingCacheFile(const std::string& modelHash, const std::string& contentHash, const fs::path& dir)
{
    const fs::path folder = dir.empty() ? cacheDir() / "corpora" : dir;
    return folder / (fileSafe(modelHash) + "-" + fileSafe(contentHash) + ".safetensors");
}

torch::Tensor getOrCompute(const std::string& modelHash, const Corpus& corpus, const EmbedFn& embedFn,
                           const fs::path& dir)
{
    if (corpus.contentHash.empty() || corpus.prompts.empty())
        throw Error("corpus '" + corpus.name + "': not loaded (no prompts or content hash)");
    const fs::path file = embeddingCacheFile(modelHash, corpus.contentHash, dir);

    std::error_code ec;
    if (fs::exists(file, ec)) {
        std::string problem;
        torch::Tensor cached;
        try {
            problem = readCached(file, modelHash, corpus, cached);
        } catch (const std::exception& e) { // pae::Error from the reader, c10::Error from torch
            problem = e.what();
        }
        if (problem.empty()) {
            log::debug("corpus '{}': {} embeddings from {}", corpus.name, cached.size(0), file.string());
            return cached;
        }
        log::warn("{}: unusable corpus embedding cache ({}); rebuilding it", file.string(), problem);
    }

    const std::vector<std::string> prompts = corpus.templatedPrompts();
    torch::Tensor e = embedFn(prompts);
    const int64_t m = static_cast<int64_t>(prompts.size());
    if (!e.defined() || e.dim() != 2 || e.size(0) != m || e.size(1) == 0)
        throw Error("corpus '" + corpus.name + "': the text encoder returned " +
                    (e.defined() ? shapeOf(e) : std::string("nothing")) + " for " + std::to_string(m) + " prompts");
    e = e.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (!torch::isfinite(e).all().item<bool>())
        throw Error("corpus '" + corpus.name + "': the text encoder returned NaN or Inf");
    const torch::Tensor norms = e.norm(2, 1, /*keepdim=*/true);
    if ((norms == 0).any().item<bool>())
        throw Error("corpus '" + corpus.name + "': the text encoder returned a zero embedding");
    e = e / norms;

    const std::map<std::string, std::string> meta = {
        {"format", kFormat},
        {"model_hash", modelHash},
        {"content_hash", corpus.contentHash},
        {"count", std::to_string(m)},
        {"dim", std::to_string(e.size(1))},
        {"corpus", corpus.name},
        {"template", corpus.templ},
    };
    try {
        fs::create_directories(file.parent_path());
        io::saveSafetensors(file, {{kTensor, e}}, meta);
    } catch (const std::exception& ex) {
        log::warn("{}: cannot write the corpus embedding cache ({}); continuing without it", file.string(),
                  ex.what());
    }
    return e;
}

} // namespace pae
