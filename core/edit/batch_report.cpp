#include "core/edit/batch_report.h"

#include "core/util/error.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>

namespace pae {
namespace fs = std::filesystem;

namespace {

// nullopt when the file is absent; Error naming it when it is there but unreadable.
std::optional<nlohmann::json> readJson(const fs::path& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::nullopt;
    std::ifstream in(path);
    if (!in)
        throw Error(path.string() + ": cannot read");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path.string() + ": not JSON: " + e.what());
    }
}

nlohmann::json recordOf(const fs::path& dir, const std::string& id)
{
    nlohmann::json r{{"id", id}};
    if (auto metrics = readJson(dir / "metrics.json")) {
        const auto& m = *metrics;
        const auto& b = m.value("batch", nlohmann::json::object());
        r["line"] = b.value("line", 0);
        r["status"] = "done";
        r["settings"] = m.value("settings", nlohmann::json::object());
        r["per_lambda"] = m.value("per_lambda", nlohmann::json::array());
        r["edit_seconds"] = m.value("seconds", 0.0);
        r["item_seconds"] = b.value("item_seconds", 0.0);
        r["started_at"] = b.value("started_at", 0.0);
        r["finished_at"] = b.value("finished_at", 0.0);
        r["host"] = b.value("host", "");
        return r;
    }
    if (auto error = readJson(dir / "error.json")) {
        r["line"] = error->value("line", 0);
        r["status"] = "failed";
        r["field"] = error->value("field", "");
        r["error"] = error->value("error", "");
        return r;
    }
    r["line"] = 0;
    r["status"] = "incomplete";
    return r;
}

} // namespace

BatchReport collectBatchReport(const fs::path& out, const BatchManifest* manifest)
{
    std::error_code ec;
    if (!fs::is_directory(out, ec))
        throw Error(out.string() + ": not a batch output folder (no such folder)");
    BatchReport report;
    if (manifest) {
        for (const BatchItem& item : manifest->items) {
            const fs::path dir = batchItemDir(out, item);
            nlohmann::json r;
            if (fs::is_directory(dir, ec))
                r = recordOf(dir, item.id);
            else
                r = {{"id", item.id}, {"status", "missing"}};
            r["line"] = item.index + 1;
            report.results.push_back(std::move(r));
        }
    } else {
        std::vector<fs::path> dirs;
        for (const auto& entry : fs::directory_iterator(out, ec))
            if (entry.is_directory() && entry.path().filename().string()[0] != '.')
                dirs.push_back(entry.path());
        if (ec)
            throw Error(out.string() + ": cannot list: " + ec.message());
        for (const fs::path& dir : dirs)
            report.results.push_back(recordOf(dir, dir.filename().string()));
        std::sort(report.results.begin(), report.results.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
            // Folders that never recorded their line (killed before a record) go last.
            const auto line = [](const nlohmann::json& r) {
                const int l = r.value("line", 0);
                return l > 0 ? l : std::numeric_limits<int>::max();
            };
            const int la = line(a), lb = line(b);
            return la != lb ? la < lb : a["id"].get<std::string>() < b["id"].get<std::string>();
        });
    }

    std::map<std::string, int> counts{{"done", 0}, {"failed", 0}, {"incomplete", 0}, {"missing", 0}};
    nlohmann::json failures = nlohmann::json::array();
    double clipSum = 0, idSum = 0, editSeconds = 0, itemSeconds = 0;
    int edits = 0, identityEdits = 0;
    double first = std::numeric_limits<double>::max(), last = 0;
    for (const auto& r : report.results) {
        const std::string status = r["status"];
        ++counts[status];
        if (status == "failed")
            failures.push_back({{"id", r["id"]}, {"line", r["line"]}, {"field", r["field"]}, {"error", r["error"]}});
        if (status != "done")
            continue;
        for (const auto& m : r["per_lambda"]) {
            clipSum += m.value("clip_cosine_to_target", 0.0);
            if (m.contains("identity_similarity")) { // only where an identity model measured it
                idSum += m["identity_similarity"].get<double>();
                ++identityEdits;
            }
            ++edits;
        }
        editSeconds += r.value("edit_seconds", 0.0);
        itemSeconds += r.value("item_seconds", 0.0);
        first = std::min(first, r.value("started_at", 0.0));
        last = std::max(last, r.value("finished_at", 0.0));
    }
    const int done = counts["done"];
    const double span = done > 0 ? last - first : 0.0;
    report.summary = {{"items", report.results.size()},
                      {"done", done},
                      {"failed", counts["failed"]},
                      {"incomplete", counts["incomplete"]},
                      {"missing", counts["missing"]},
                      {"failures", failures},
                      {"edits", edits},
                      {"mean_clip_cosine_to_target", edits > 0 ? clipSum / edits : 0.0},
                      {"mean_identity_similarity",
                       identityEdits > 0 ? nlohmann::json(idSum / identityEdits) : nlohmann::json(nullptr)},
                      {"edit_seconds_total", editSeconds},
                      {"item_seconds_mean", done > 0 ? itemSeconds / done : 0.0},
                      {"wall_seconds", span},
                      {"items_per_minute", span > 0 ? 60.0 * done / span : 0.0}};
    return report;
}

} // namespace pae
