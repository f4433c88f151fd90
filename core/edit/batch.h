#pragma once
// Batch editing (`pae-cli batch`): a JSON Lines manifest of edit jobs, split into shards
// that cluster engines run as separate processes (Slurm job arrays, Kubernetes Indexed
// Jobs); outputs per item in OUT/<id>/, every file written atomically, metrics.json last.
// This file holds what does not need the models running: the manifest, the sharding, the
// settings hash and the on-disk state of an item (complete, locked, scratch files).
// Running an item is the CLI's work (app/cli/cmd_batch.cpp): the same EditJob as `edit`.
#include "core/edit/edit_request.h"
#include "core/edit/model_set.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pae {

// Shard I of N takes the manifest lines with index % N == I (index: 0-based line number).
struct BatchShard {
    int index = 0;
    int count = 1;
    bool contains(size_t lineIndex) const { return lineIndex % size_t(count) == size_t(index); }
    std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};
// "I/N" with 0 ≤ I < N; UsageError naming --shard otherwise.
BatchShard parseShard(const std::string& text);

enum class FaceSourceKind { Seed, Latent, Photo };

// One manifest line. A line that cannot run keeps error/errorField set and is written as
// an error record; every other field is then only as far as parsing got.
struct BatchItem {
    size_t index = 0; // 0-based line number in the manifest (blank lines count)
    std::string id;   // "id" field, else fnv1a64 of the line
    std::string text; // the line as read
    std::string errorField;
    std::string error; // "manifest.jsonl line 4: lambdas: …"; empty when the line can run
    bool ok() const { return error.empty(); }

    FaceSourceKind sourceKind = FaceSourceKind::Seed;
    uint64_t seed = 0;
    float truncation = 0.7f;
    std::filesystem::path latentFile; // absolute or relative to the current directory
    std::filesystem::path photoFile;
    std::optional<int> face;   // photo: index of the face, largest first
    std::optional<bool> align; // photo: FFHQ alignment (default: on for real models)
    int invertSteps = 300;     // photo: inversion steps

    EditRequest request = EditRequest::defaults(); // every field but source, l2Weight, idWeight, target, λ
    std::optional<float> l2Weight;                 // unset: the corpus header's, else the models' default
    std::optional<float> idWeight;                 // unset: the models' default
    std::optional<TargetKind> target;              // unset: the corpus header's, else pae+
    std::optional<std::vector<float>> lambdas;     // unset: the models' default λ
};

struct BatchManifest {
    std::filesystem::path path;
    std::vector<BatchItem> items; // non-blank lines, in order
};

// Reads every line; blank lines are no items (but keep their index). A line that does not
// parse, names an unknown field, a missing file or a bad value becomes an item with
// error set; ids used twice make every later line an error record (its output folder
// then is "<id>-line<N>"). Throws Error only when the manifest itself cannot be read.
BatchManifest readBatchManifest(const std::filesystem::path& path);
BatchItem parseBatchLine(const std::string& line, size_t index, const std::filesystem::path& manifest);

// The edit request of a runnable item, for these models, without its source latent.
EditRequest batchRequest(const BatchItem& item, const ModelInfo& models);

// Everything that decides an item's outputs, as JSON: the source (and the content hash of
// its file), the request, the models. Its hash is recorded in metrics.json; an item whose
// recorded hash differs is run again.
nlohmann::json batchSettings(const BatchItem& item, const ModelInfo& models);
std::string batchSettingsHash(const nlohmann::json& settings);

// Output files of an item: OUT/<id>/image-<k>.png and latent-<k>.safetensors per λ,
// metrics.json (last), or error.json.
std::filesystem::path batchItemDir(const std::filesystem::path& out, const BatchItem& item);
std::string batchImageName(size_t lambdaIndex);
std::string batchLatentName(size_t lambdaIndex);

// The weights of the models ({"clip": hash, "generator": hash}), recorded in metrics.json
// beside the settings hash: a retrained model has the same description, so the settings hash
// alone would call its stale outputs complete. Kept out of the settings hash, so that the
// items of batches run before it was recorded still count as finished.
nlohmann::json batchWeights(const ModelInfo& models);

// True when metrics.json exists, parses, records this settings hash (and these weights, when
// it records weights), and every file it lists is there with its recorded size.
bool batchItemComplete(const std::filesystem::path& itemDir, const std::string& settingsHash,
                       const nlohmann::json& weights);

// Removes what an unfinished run of the item left: temporary files of interrupted atomic
// writes, outputs of other settings, metrics.json and error.json. Only the names batch
// writes are touched. Call it holding the item's lock.
void clearBatchItemDir(const std::filesystem::path& itemDir);

// An exclusive lock on OUT/<id>/.lock (flock): two processes never work on one item. The
// kernel drops it when the process dies, however it dies.
class BatchItemLock {
public:
    // Creates the folder. acquired() is false when another process holds the lock.
    explicit BatchItemLock(const std::filesystem::path& itemDir);
    ~BatchItemLock();
    BatchItemLock(const BatchItemLock&) = delete;
    BatchItemLock& operator=(const BatchItemLock&) = delete;
    bool acquired() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

// Writes JSON (pretty, one trailing newline) atomically.
void writeJsonAtomically(const std::filesystem::path& path, const nlohmann::json& j);

} // namespace pae
