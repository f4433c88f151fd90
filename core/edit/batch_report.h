#pragma once
// `pae-cli batch-report`: the per-item records of a batch output folder, merged into one
// list and a summary. Reads only what `batch` wrote (metrics.json, error.json); no models.
#include "core/edit/batch.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace pae {

struct BatchReport {
    // One object per item, ordered by manifest line then id: id, line, status
    // ("done", "failed", "incomplete": started and never finished, "missing": in the
    // manifest, no folder), and the metrics or the error.
    std::vector<nlohmann::json> results;
    // counts per status, failures with their reasons, mean CLIP cosine to the target and
    // identity similarity over every λ of the done items, edit seconds, wall-clock span
    // and items per minute.
    nlohmann::json summary;
};

// manifest, when given, limits the report to its items and counts those without output
// as missing. Throws Error naming the folder when it cannot be read.
BatchReport collectBatchReport(const std::filesystem::path& out, const BatchManifest* manifest = nullptr);

} // namespace pae
