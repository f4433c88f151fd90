// `pae-cli batch MANIFEST --out DIR --shard I/N`: one shard of a JSON Lines manifest of
// edits, in one process with the models loaded once; the same EditJob as `edit`. A cluster
// engine runs the shards (packaging/slurm, packaging/k8s); a re-run skips finished items.
#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/edit/batch.h"
#include "core/edit/edit_job.h"
#include "core/edit/inversion.h"
#include "core/face/alignment.h"
#include "core/io/image.h"
#include "core/util/error.h"

#include <c10/util/Exception.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

namespace pae::cli {
namespace {
namespace fs = std::filesystem;

// SIGTERM (scancel, Slurm preemption, Kubernetes eviction) and SIGINT stop the running
// item within one step; it leaves no metrics.json, so the next run redoes it.
std::atomic<bool> g_stopRequested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onStopSignal(int) { g_stopRequested.store(true); }

void installStopHandlers()
{
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

double unixSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double residentMiB()
{
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            double kib = 0;
            in >> kib;
            return kib / 1024.0;
        }
        in.ignore(4096, '\n');
    }
    return 0;
}

std::string hostName()
{
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

// Where the cluster engine ran this process, for the records.
nlohmann::json clusterTask()
{
    nlohmann::json j = nlohmann::json::object();
    for (const char* key :
         {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_RESTART_COUNT", "JOB_COMPLETION_INDEX"})
        if (const char* value = std::getenv(key))
            j[key] = value;
    return j;
}

std::string duration(double seconds)
{
    char text[32];
    const long s = long(seconds + 0.5);
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%ldh %02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        std::snprintf(text, sizeof text, "%ldm %02lds", s / 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%lds", s);
    return text;
}

struct BatchOptions {
    ModelOptions models;
    std::string manifest;
    std::string out;
    std::string shard = "0/1";
    bool json = false;
};

// A failure of one item: the manifest field (or stage) and the problem.
struct ItemFailure {
    std::string field;
    std::string message;
};

class ItemRunner {
public:
    ItemRunner(std::shared_ptr<ModelSet> models, const BatchManifest& manifest)
        : m_models(std::move(models)), m_info(m_models->info()), m_manifest(manifest)
    {}

    // Runs one item and writes its outputs, metrics.json last. Throws Cancelled on a stop
    // signal and ItemFailure for anything wrong with this item.
    void run(const BatchItem& item, const fs::path& dir, const nlohmann::json& settings, const std::string& hash)
    {
        const double started = unixSeconds();
        EditRequest request = batchRequest(item, m_info);
        request.source = sourceOf(item);
        guard("edit", [&] { request.validate(); });
        EditCallbacks callbacks;
        callbacks.cancelRequested = [] { return g_stopRequested.load(); };
        EditResult result;
        guard("edit", [&] { result = EditJob(m_models).run(request, callbacks); });
        if (result.cancelled)
            throw Cancelled();
        if (!result.stopReason.empty())
            throw ItemFailure{"edit", "stopped early: " + result.stopReason};
        if (result.images.size() != request.lambdas.size() || result.latents.size() != request.lambdas.size())
            throw ItemFailure{"edit", "the edit returned " + std::to_string(result.images.size()) + " images for " +
                                          std::to_string(request.lambdas.size()) + " λ values"};

        nlohmann::json files = nlohmann::json::array();
        const auto record = [&](const std::string& name) {
            files.push_back({{"name", name}, {"bytes", fs::file_size(dir / name)}});
        };
        nlohmann::json metrics = metricsJson(*m_models, request, result);
        guard("write", [&] {
            for (size_t k = 0; k < result.images.size(); ++k) {
                io::writeImage(result.images[k], dir / batchImageName(k));
                m_models->saveLatent(result.latents[k], dir / batchLatentName(k));
                record(batchImageName(k));
                record(batchLatentName(k));
                auto& m = metrics["per_lambda"][k];
                m["image"] = batchImageName(k);
                m["latent"] = batchLatentName(k);
            }
            metrics["batch"] = {{"id", item.id},
                                {"line", item.index + 1},
                                {"manifest", m_manifest.path.string()},
                                {"settings_hash", hash},
                                {"weights", batchWeights(m_info)},
                                {"settings", settings},
                                {"files", files},
                                {"started_at", started},
                                {"finished_at", unixSeconds()},
                                {"item_seconds", unixSeconds() - started},
                                {"host", hostName()},
                                {"pid", ::getpid()},
                                {"cluster", clusterTask()}};
            // Last: its presence means every file above is complete.
            writeJsonAtomically(dir / "metrics.json", metrics);
        });
    }

private:
    template <class F> static void guard(const std::string& field, F&& f)
    {
        try {
            f();
        } catch (const Cancelled&) {
            throw;
        } catch (const UsageError& e) {
            // EditRequest::validate says "steps: …": its field is the manifest's problem.
            const std::string what = e.what();
            const size_t colon = what.find(": ");
            if (colon != std::string::npos && colon < 20)
                throw ItemFailure{what.substr(0, colon), what.substr(colon + 2)};
            throw ItemFailure{field, what};
        } catch (const c10::Error& e) {
            throw ItemFailure{field, e.what_without_backtrace()};
        } catch (const std::exception& e) {
            throw ItemFailure{field, e.what()};
        }
    }

    Latent sourceOf(const BatchItem& item)
    {
        Latent latent;
        switch (item.sourceKind) {
        case FaceSourceKind::Seed:
            guard("seed", [&] { latent = m_models->latentFromSeed(item.seed, item.truncation); });
            break;
        case FaceSourceKind::Latent:
            guard("latent", [&] { latent = loadLatentWithWarning(*m_models, item.latentFile); });
            break;
        case FaceSourceKind::Photo:
            guard("photo", [&] { latent = invertPhoto(item); });
            break;
        }
        return latent;
    }

    // What `pae-cli invert [--align --face N]` does (core/edit/photo.h).
    Latent invertPhoto(const BatchItem& item)
    {
        InversionRequest request;
        const ImageRGB photo = io::readImage(item.photoFile);
        request.steps = item.invertSteps;
        request.previewEvery = 0;
        InversionCallbacks callbacks;
        callbacks.cancelRequested = [] { return g_stopRequested.load(); };
        InversionResult result;
        if (item.align.value_or(!m_info.builtin)) {
            if (!m_aligner)
                m_aligner = std::make_unique<FaceAligner>();
            try {
                result = pae::invertPhoto(m_models, *m_aligner, photo, item.face.value_or(0), request, callbacks,
                                          item.photoFile.string())
                             .inversion;
            } catch (const FaceChoiceError& e) {
                throw ItemFailure{"face", e.what()};
            }
        } else {
            request.image = photo;
            request.validate();
            result = InversionJob(m_models).run(request, callbacks);
        }
        if (result.cancelled)
            throw Cancelled();
        if (!result.stopReason.empty())
            throw ItemFailure{"photo", "the inversion stopped early: " + result.stopReason};
        return result.latent;
    }

    std::shared_ptr<ModelSet> m_models;
    ModelInfo m_info;
    const BatchManifest& m_manifest;
    std::unique_ptr<FaceAligner> m_aligner; // loaded with the first aligned photo
};

void writeErrorRecord(const fs::path& dir, const BatchItem& item, const BatchManifest& manifest,
                      const std::string& field, const std::string& error)
{
    writeJsonAtomically(dir / "error.json", {{"id", item.id},
                                             {"line", item.index + 1},
                                             {"manifest", manifest.path.string()},
                                             {"field", field},
                                             {"error", error},
                                             {"at", unixSeconds()},
                                             {"host", hostName()},
                                             {"cluster", clusterTask()}});
}

struct Planned {
    const BatchItem* item;
    nlohmann::json settings;
    std::string hash;
    bool finished = false;    // complete before this run started
    std::string prepareError; // settings could not be computed (corpus or file unreadable)
    std::string prepareField; // the manifest field that caused it
};

void runBatch(const BatchOptions& o)
{
    const BatchShard shard = parseShard(o.shard);
    const BatchManifest manifest = readBatchManifest(o.manifest);
    const fs::path out(o.out);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec)
        throw Error(out.string() + ": cannot create the output folder: " + ec.message());
    installStopHandlers();
    const std::shared_ptr<ModelSet> models = o.models.load();
    const ModelInfo info = models->info();

    std::vector<Planned> plan;
    for (const BatchItem& item : manifest.items) {
        if (!shard.contains(item.index))
            continue;
        Planned p{&item, {}, {}, false, {}, {}};
        // The settings need the corpus (its header gives rows and defaults), then the source file's hash.
        auto prepare = [&](const char* field, const auto& step) {
            if (!item.ok() || !p.prepareError.empty())
                return;
            try {
                step();
            } catch (const std::exception& e) {
                p.prepareError = e.what();
                p.prepareField = field;
            }
        };
        prepare("corpus", [&] { batchRequest(item, info); });
        prepare("source", [&] {
            p.settings = batchSettings(item, info);
            p.hash = batchSettingsHash(p.settings);
            p.finished = batchItemComplete(batchItemDir(out, item), p.hash, batchWeights(info));
        });
        plan.push_back(std::move(p));
    }
    const size_t total = plan.size();
    size_t toRun = 0;
    for (const auto& p : plan)
        toRun += p.finished ? 0 : 1;
    if (o.json)
        std::cout << nlohmann::json{{"event", "start"}, {"shard", shard.str()},
                                    {"items", total},   {"finished_before", total - toRun},
                                    {"to_run", toRun},  {"rss_mb", residentMiB()}}
                         .dump()
                  << std::endl;
    else
        std::fprintf(stderr, "shard %s of %s: %zu items, %zu finished before, %zu to run\n", shard.str().c_str(),
                     o.manifest.c_str(), total, total - toRun, toRun);

    ItemRunner runner(models, manifest);
    size_t processed = 0, done = 0, skipped = 0, failed = 0, busy = 0, ran = 0;
    double runSeconds = 0;
    bool interrupted = false;
    const double batchStart = unixSeconds();
    for (const Planned& p : plan) {
        if (g_stopRequested.load()) {
            interrupted = true;
            break;
        }
        const BatchItem& item = *p.item;
        const fs::path dir = batchItemDir(out, item);
        const double itemStart = unixSeconds();
        std::string status, field, error;
        {
            BatchItemLock lock(dir);
            if (!lock.acquired()) {
                status = "busy";
                error = dir.string() + ": another process is working on this item (its .lock is held)";
            } else if (batchItemComplete(dir, p.hash, batchWeights(info)) && item.ok() && p.prepareError.empty()) {
                status = "skipped"; // finished before, or by another process since the plan
            } else {
                clearBatchItemDir(dir);
                try {
                    if (!item.ok())
                        throw ItemFailure{item.errorField, item.error};
                    if (!p.prepareError.empty())
                        throw ItemFailure{p.prepareField, p.prepareError};
                    runner.run(item, dir, p.settings, p.hash);
                    status = "done";
                } catch (const Cancelled&) {
                    interrupted = true;
                } catch (const ItemFailure& f) {
                    status = "failed";
                    field = f.field;
                    // "corpus: no corpus named …" already names its field.
                    const bool named = f.message.compare(0, f.field.size() + 2, f.field + ": ") == 0;
                    error = item.ok() ? o.manifest + " line " + std::to_string(item.index + 1) + ": " +
                                            (named ? "" : f.field + ": ") + f.message
                                      : f.message;
                    writeErrorRecord(dir, item, manifest, field, error);
                }
            }
        }
        if (interrupted)
            break;
        const double seconds = unixSeconds() - itemStart;
        ++processed;
        if (status == "skipped")
            ++skipped;
        else {
            ++ran;
            runSeconds += seconds;
            (status == "done" ? done : failed) += 1;
            busy += status == "busy" ? 1 : 0;
        }
        // Over the items this process ran (done or failed); until one is done there is
        // no meaningful rate (a failed line takes microseconds).
        const double perItem = ran > 0 ? runSeconds / double(ran) : 0.0;
        const double itemsPerMinute = done > 0 && perItem > 0 ? 60.0 / perItem : 0.0;
        const size_t remaining = toRun > ran ? toRun - ran : 0;
        const double eta = perItem * double(remaining);
        if (o.json) {
            nlohmann::json line{{"event", "item"},        {"id", item.id},
                                {"line", item.index + 1}, {"status", status},
                                {"done", processed},      {"total", total},
                                {"seconds", seconds},     {"items_per_min", itemsPerMinute},
                                {"eta_s", eta},           {"rss_mb", residentMiB()}};
            if (!error.empty())
                line["error"] = error;
            std::cout << line.dump() << std::endl;
        } else {
            char took[32];
            std::snprintf(took, sizeof took, "done in %.1f s", seconds);
            const std::string what = status == "done"      ? took
                                     : status == "skipped" ? "skipped (finished before)"
                                                           : status + ": " + error;
            std::fprintf(stderr, "[%zu/%zu] %s %s  (%.1f items/min, ETA %s)\n", processed, total, item.id.c_str(),
                         what.c_str(), itemsPerMinute, duration(eta).c_str());
        }
    }

    const double wall = unixSeconds() - batchStart;
    const size_t left = total - processed;
    if (o.json)
        std::cout << nlohmann::json{{"event", interrupted ? "interrupted" : "end"},
                                    {"shard", shard.str()},
                                    {"done", done},
                                    {"skipped", skipped},
                                    {"failed", failed},
                                    {"left", left},
                                    {"seconds", wall},
                                    {"items_per_min", wall > 0 ? 60.0 * double(done) / wall : 0.0},
                                    {"rss_mb", residentMiB()}}
                         .dump()
                  << std::endl;
    else
        std::fprintf(stderr, "shard %s: %zu done, %zu skipped, %zu failed, %zu left, %.1f s\n", shard.str().c_str(),
                     done, skipped, failed, left, wall);
    if (interrupted)
        throw Error("stopped by a signal with " + std::to_string(left) +
                    " items of the shard left; run the same command again to finish them");
    if (busy > 0)
        throw Error(std::to_string(busy) + " items of shard " + shard.str() +
                    " were being worked on by another process (their .lock was held); run the same command again "
                    "once it has finished" +
                    (failed > busy ? "; " + std::to_string(failed - busy) + " other items failed" : std::string()));
    if (failed > 0)
        throw Error(std::to_string(failed) + " of " + std::to_string(total) + " items of shard " + shard.str() +
                    " failed; the reasons are in " + out.string() + "/<id>/error.json (pae-cli batch-report " +
                    out.string() + ")");
}

} // namespace

void addBatchCommand(CLI::App& app)
{
    auto o = std::make_shared<BatchOptions>();
    CLI::App* cmd = app.add_subcommand(
        "batch", "Run one shard of a JSON Lines manifest of edits; outputs per item in --out, finished items skipped");
    cmd->add_option("manifest", o->manifest, "JSON Lines, one edit per line (see README: Batch editing)")->required();
    cmd->add_option("--out", o->out, "Output folder: <id>/image-<k>.png, latent-<k>.safetensors, metrics.json")
        ->required();
    cmd->add_option("--shard", o->shard, "I/N: the lines whose 0-based index % N == I")->capture_default_str();
    cmd->add_flag("--json", o->json, "Progress as JSON lines on stdout instead of text on stderr");
    o->models.add(cmd);
    cmd->callback([o] { runBatch(*o); });
}

} // namespace pae::cli
