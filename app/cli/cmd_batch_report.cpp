// `pae-cli batch-report DIR`: the per-item records that `batch` wrote, merged into
// DIR/results.jsonl and DIR/summary.json.
#include "app/cli/commands.h"
#include "core/edit/batch_report.h"
#include "core/util/paths.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace pae::cli {
namespace {

struct ReportOptions {
    std::string out;
    std::string manifest;
    bool json = false;
};

void runReport(const ReportOptions& o)
{
    std::unique_ptr<BatchManifest> manifest;
    if (!o.manifest.empty())
        manifest = std::make_unique<BatchManifest>(readBatchManifest(o.manifest));
    const BatchReport report = collectBatchReport(o.out, manifest.get());
    std::string lines;
    for (const auto& r : report.results)
        lines += r.dump() + "\n";
    const std::filesystem::path out(o.out);
    writeFileAtomically(out / "results.jsonl", lines.data(), lines.size());
    writeJsonAtomically(out / "summary.json", report.summary);
    if (o.json) {
        std::cout << report.summary.dump() << "\n"; // one line, like batch --json
        return;
    }
    const auto& s = report.summary;
    std::cout << s["items"] << " items: " << s["done"] << " done, " << s["failed"] << " failed, " << s["incomplete"]
              << " incomplete";
    if (manifest)
        std::cout << ", " << s["missing"] << " missing";
    std::cout << "\n";
    for (const auto& f : s["failures"])
        std::cout << "  failed " << f["id"].get<std::string>() << ": " << f["error"].get<std::string>() << "\n";
    std::cout << "mean CLIP cosine to the target " << s["mean_clip_cosine_to_target"].get<double>();
    if (!s["mean_identity_similarity"].is_null())
        std::cout << ", mean identity similarity " << s["mean_identity_similarity"].get<double>();
    std::cout << " (" << s["edits"] << " edits)\n";
    std::cout << "edit time " << s["edit_seconds_total"].get<double>() << " s, " << s["item_seconds_mean"].get<double>()
              << " s per item; " << s["items_per_minute"].get<double>() << " items/min over "
              << s["wall_seconds"].get<double>() << " s of wall-clock time\n";
    std::cout << "written: " << (out / "results.jsonl").string() << ", " << (out / "summary.json").string() << "\n";
}

} // namespace

void addBatchReportCommand(CLI::App& app)
{
    auto o = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "batch-report", "Merge the per-item records of a batch folder into results.jsonl and summary.json");
    cmd->add_option("dir", o->out, "The folder `batch --out` wrote")->required();
    cmd->add_option("--manifest", o->manifest, "Report exactly this manifest's items (missing ones counted)");
    cmd->add_flag("--json", o->json, "Print the summary as JSON");
    cmd->callback([o] { runReport(*o); });
}

} // namespace pae::cli
