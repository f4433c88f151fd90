// Joins a Hugging Face CLIP folder to the model: config, weights, tokenizer, identity.
#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/models/clip.h"
#include "core/models/strict_load.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace pae::models {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

void fnv(uint64_t& h, const char* data, size_t size)
{
    for (size_t i = 0; i < size; ++i) {
        h ^= static_cast<uint8_t>(data[i]);
        h *= kFnvPrime;
    }
}

void hashRange(uint64_t& h, std::ifstream& in, uint64_t offset, uint64_t size)
{
    std::vector<char> buffer(size);
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(buffer.data(), static_cast<std::streamsize>(size));
    fnv(h, buffer.data(), static_cast<size_t>(in.gcount()));
}

// Cheap and stable across copies: the size, the first and last MiB of the weights (the
// safetensors header lists every name, shape and offset) and the config, which changes
// what the same weights compute. Reading the whole file would cost seconds per start.
std::string weightsHash(const fs::path& weights, const fs::path& config)
{
    constexpr uint64_t kChunk = 1 << 20;
    uint64_t h = kFnvOffset;
    std::ifstream in(weights, std::ios::binary);
    if (!in)
        throw Error(weights.string() + ": cannot open");
    const uint64_t size = fs::file_size(weights);
    const std::string sizeText = std::to_string(size);
    fnv(h, sizeText.data(), sizeText.size());
    hashRange(h, in, 0, std::min(size, kChunk));
    if (size > kChunk)
        hashRange(h, in, size - std::min(size - kChunk, kChunk), std::min(size - kChunk, kChunk));
    if (fs::exists(config)) {
        std::ifstream cfg(config, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(cfg)), std::istreambuf_iterator<char>());
        fnv(h, text.data(), text.size());
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

// Buffers that older transformers versions saved; they hold arange(n) and carry no weights.
bool isPositionIds(const std::string& key)
{
    return key == "text_model.embeddings.position_ids" || key == "vision_model.embeddings.position_ids";
}

} // namespace

Clip loadClip(const fs::path& dir, torch::Device device)
{
    if (!fs::is_directory(dir))
        throw Error(dir.string() + ": not a folder (expected a Hugging Face CLIP folder)");
    fs::path weights = dir / "model.safetensors";
    io::TensorMap tensors;
    if (fs::exists(weights)) {
        tensors = io::loadSafetensors(weights);
    } else {
        weights = dir / "pytorch_model.bin";
        if (!fs::exists(weights))
            throw Error(dir.string() + ": neither model.safetensors nor pytorch_model.bin is there");
        tensors = io::loadTorchCheckpoint(weights);
    }

    const fs::path configPath = dir / "config.json";
    const ClipConfig config =
        fs::exists(configPath) ? ClipConfig::fromJsonFile(configPath) : ClipConfig::fromTensors(tensors);
    log::debug("{}: {}{}", dir.string(), config.describe(),
               fs::exists(configPath) ? "" : " (inferred from the weights)");

    ClipModel model(config);
    loadStrict(*model, tensors, weights.string(), "", isPositionIds);
    tensors.clear();
    model->to(device);
    model->eval();

    auto tokenizer = text::ClipTokenizer::fromFolder(dir);
    if (static_cast<int64_t>(tokenizer.vocabSize()) > config.text.vocabSize)
        throw Error((dir / "vocab.json").string() + ": " + std::to_string(tokenizer.vocabSize()) +
                    " tokens, but the model's embedding holds only " + std::to_string(config.text.vocabSize));
    Clip clip{config, model, std::move(tokenizer), weightsHash(weights, configPath)};
    return clip;
}

torch::Tensor Clip::tokenize(const std::vector<std::string>& texts) const
{
    const int64_t context = config.text.maxPositions;
    auto ids = torch::zeros({static_cast<int64_t>(texts.size()), context}, torch::kLong);
    auto access = ids.accessor<int64_t, 2>();
    for (size_t row = 0; row < texts.size(); ++row) {
        const auto tokens = tokenizer.tokenize(texts[row], static_cast<int>(context));
        for (size_t i = 0; i < tokens.size() && static_cast<int64_t>(i) < context; ++i)
            access[row][i] = tokens[i];
    }
    const auto params = model->parameters();
    return params.empty() ? ids : ids.to(params.front().device());
}

} // namespace pae::models
