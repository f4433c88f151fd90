// The whole training run: vocabulary, CLIP, generator, regressor, then the quality report.
#include "core/synthface/train.h"

#include "core/synthface/train_data.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <thread>

namespace pae::synthface {
namespace {

namespace fs = std::filesystem;

std::string formatSeconds(double s)
{
    std::ostringstream out;
    const int total = int(std::lround(s));
    if (total >= 60)
        out << total / 60 << "m" << std::setw(2) << std::setfill('0') << total % 60 << "s";
    else
        out << std::fixed << std::setprecision(1) << s << "s";
    return out.str();
}

// Full-scale step counts, sized for about 40 minutes on a two-core machine with the two
// lanes side by side, one thread each (CLIP ~0.45 s a step; regressor and generator ~0.2 s).
constexpr int64_t kClipSteps = 4000;
// Coarse steps are cheaper (a 16² step about a third of a full one, a 32² step under half).
// 24,000 steps at 45% 16² / 35% 32² took 34 minutes and drew 23.5 dB, with almost half of
// the error left in the finest band (the image less its 32² version). At 37% / 29%:
// 29,000 steps drew 25.3 dB in 54 minutes, too long beside the regressor's 4.5 for the
// 60-minute budget; these 26,000 take about 48, and the generator lane (about 53) is now
// the longer one.
constexpr int64_t kGeneratorSteps = 26000;
constexpr int64_t kRegressorSteps = 1500;
// Side by side in the two lanes, about 15 minutes on a two-core machine (identity 0.8 s a
// step, encoder 0.75 s: most of it the generator's passes).
constexpr int64_t kIdentitySteps = 300;
constexpr int64_t kEncoderSteps = 1200;

} // namespace

int64_t scaledSteps(int64_t steps, double scale)
{
    return std::max<int64_t>(1, int64_t(std::llround(double(steps) * scale)));
}

double warmupCosine(int64_t step, int64_t steps, int64_t warmup, double lr, double floor)
{
    if (step <= warmup)
        return lr * double(step) / double(warmup);
    const double t = double(step - warmup) / double(std::max<int64_t>(1, steps - warmup));
    return lr * (floor + (1.0 - floor) * 0.5 * (1.0 + std::cos(3.141592653589793 * std::min(1.0, t))));
}

StepReporter::StepReporter(std::string stage, int64_t steps, TrainLog log)
    : m_stage(std::move(stage)), m_steps(steps), m_every(std::max<int64_t>(1, steps / 40)), m_log(std::move(log)),
      m_start(std::chrono::steady_clock::now())
{
}

bool StepReporter::due(int64_t step) const { return step % m_every == 0 || step == m_steps; }

double StepReporter::elapsedSeconds() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

void StepReporter::report(int64_t step, const std::string& values)
{
    const double elapsed = elapsedSeconds();
    const double perStep = elapsed / double(step);
    std::ostringstream out;
    out << m_stage << " " << step << "/" << m_steps << " " << values << " | " << std::fixed << std::setprecision(2)
        << perStep << " s/step, " << formatSeconds(elapsed) << " elapsed, eta " << formatSeconds(perStep * double(m_steps - step));
    m_log(out.str());
}

const std::vector<std::string>& trainStageNames()
{
    static const std::vector<std::string> names = {"vocabulary", "clip", "generator", "regressor", "identity", "encoder", "quality"};
    return names;
}

nlohmann::json trainSynthFace(const TrainOptions& o, const TrainLog& log)
{
    if (o.out.empty())
        throw UsageError("--out: no output folder given");
    for (const std::string& s : o.stages)
        if (std::find(trainStageNames().begin(), trainStageNames().end(), s) == trainStageNames().end())
            throw UsageError("--stages: unknown stage '" + s +
                             "' (vocabulary, clip, generator, regressor, identity, encoder, quality)");
    const auto wanted = [&](const std::string& name) {
        return o.stages.empty() || std::find(o.stages.begin(), o.stages.end(), name) != o.stages.end();
    };
    if (!(o.scale > 0) || o.scale > 10)
        throw UsageError("--scale " + std::to_string(o.scale) + " is outside (0, 10]");
    std::error_code ec;
    fs::create_directories(o.out / "clip", ec);
    if (ec)
        throw Error(o.out.string() + ": cannot create the output folder: " + ec.message());

    const auto start = std::chrono::steady_clock::now();
    auto since = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    // The lanes share the log and the report: one line and one field at a time.
    std::mutex shared;
    const TrainLog say = [&](const std::string& line) {
        std::lock_guard<std::mutex> lock(shared);
        log(line);
    };
    nlohmann::json training = {{"seed", o.seed}, {"scale", o.scale}, {"lanes", o.lanes},
                               {"threads_per_lane", torch::get_num_threads()}};
    auto record = [&](const std::function<void(nlohmann::json&)>& write) {
        std::lock_guard<std::mutex> lock(shared);
        write(training);
    };
    auto stage = [&](const char* name, const std::function<void()>& run) {
        if (!wanted(name))
            return;
        const auto t = std::chrono::steady_clock::now();
        say(std::string("── ") + name);
        run();
        const double seconds = since(t);
        record([&](nlohmann::json& j) { j["seconds"][name] = seconds; });
        say(std::string(name) + ": done in " + formatSeconds(seconds));
    };

    // Lane one: the vocabulary, then CLIP on it. Lane two: the regressor, then the
    // generator, whose attribute loss reads the regressor.
    const auto laneClip = [&] {
        stage("vocabulary", [&] {
            const int64_t size = trainVocabulary(promptsDir() / "synthface", o.out / "clip", say);
            record([&](nlohmann::json& j) { j["vocabulary_size"] = size; });
        });
        ClipTrainOptions clip;
        clip.steps = scaledSteps(kClipSteps, o.scale);
        clip.seed = o.seed;
        stage("clip", [&] {
            record([&](nlohmann::json& j) { j["clip"] = {{"steps", clip.steps}, {"batch", clip.batch}, {"lr", clip.lr}, {"probe_weight", clip.probeWeight}, {"seed", clip.seed}}; });
            trainClip(o.out / "clip", clip, say);
        });
        IdentityTrainOptions identity;
        identity.steps = scaledSteps(kIdentitySteps, o.scale);
        identity.seed = o.seed;
        stage("identity", [&] {
            const nlohmann::json measured = trainIdentity(o.out / "identity.safetensors", identity, say);
            record([&](nlohmann::json& j) {
                j["identity"] = {{"steps", identity.steps}, {"pairs", identity.pairs}, {"lr", identity.lr},
                                 {"temperature", identity.temperature}, {"seed", identity.seed},
                                 {"held_out", measured}};
            });
        });
    };
    const auto laneGenerator = [&] {
        RegressorTrainOptions regressor;
        regressor.steps = scaledSteps(kRegressorSteps, o.scale);
        regressor.seed = o.seed;
        stage("regressor", [&] {
            record([&](nlohmann::json& j) {
                j["regressor"] = {{"steps", regressor.steps}, {"batch", regressor.batch}, {"lr", regressor.lr},
                                  {"seed", regressor.seed}};
            });
            trainRegressor(o.out / "regressor.safetensors", regressor, say);
        });
        GeneratorTrainOptions generator;
        generator.steps = scaledSteps(kGeneratorSteps, o.scale);
        generator.seed = o.seed;
        stage("generator", [&] {
            record([&](nlohmann::json& j) {
                j["generator"] = {{"steps", generator.steps}, {"batch", generator.batch}, {"lr", generator.lr},
                                  {"attribute_weight", generator.attributeWeight}, {"seed", generator.seed},
                                  {"share_16", generator.share16}, {"share_32", generator.share32}};
            });
            trainGenerator(o.out / "generator.safetensors", o.out / "regressor.safetensors", generator, say);
        });
        EncoderTrainOptions encoder;
        encoder.steps = scaledSteps(kEncoderSteps, o.scale);
        encoder.seed = o.seed;
        stage("encoder", [&] {
            const nlohmann::json measured =
                trainEncoder(o.out / "encoder.safetensors", o.out / "generator.safetensors", encoder, say);
            record([&](nlohmann::json& j) {
                j["encoder"] = {{"steps", encoder.steps}, {"batch", encoder.batch}, {"lr", encoder.lr},
                                {"pixel_weight", encoder.pixelWeight}, {"seed", encoder.seed}, {"held_out", measured}};
            });
        });
    };
    if (o.lanes >= 2) {
        // Both lanes run to their end even when one fails (a stage has no way to be
        // interrupted); the first failure is then reported.
        std::exception_ptr failure;
        // OpenMP's thread count is per thread: a new thread starts from the default (every
        // core), not from what was set for this one, and a different count sums in a
        // different order, so the generator lane would not match a run in turn.
        const int threads = torch::get_num_threads();
        std::thread other([&] {
            torch::set_num_threads(threads);
            try {
                laneGenerator();
            } catch (...) {
                std::lock_guard<std::mutex> lock(shared);
                failure = std::current_exception();
            }
        });
        try {
            laneClip();
        } catch (...) {
            other.join();
            throw;
        }
        other.join();
        if (failure)
            std::rethrow_exception(failure);
    } else {
        laneClip();
        laneGenerator();
    }
    training["seconds"]["training_total"] = since(start);

    // A run of some stages keeps the report's record of the others and of the full run;
    // it adds its own stages' records and lists itself under partial_runs.
    const bool partial = !o.stages.empty();
    if (partial) {
        nlohmann::json merged = nlohmann::json::object();
        try {
            std::ifstream in(o.out / "training-report.json");
            if (in)
                merged = nlohmann::json::parse(in).value("training", nlohmann::json::object());
        } catch (const nlohmann::json::exception&) {
            merged = nlohmann::json::object(); // unreadable: this run's record alone
        }
        if (!merged.is_object())
            merged = nlohmann::json::object();
        for (const std::string& name : trainStageNames()) {
            if (!wanted(name))
                continue;
            if (training.contains(name))
                merged[name] = training[name];
            if (training["seconds"].contains(name))
                merged["seconds"][name] = training["seconds"][name];
        }
        if (training.contains("vocabulary_size"))
            merged["vocabulary_size"] = training["vocabulary_size"];
        merged["partial_runs"].push_back({{"stages", o.stages},
                                          {"seed", o.seed},
                                          {"scale", o.scale},
                                          {"lanes", o.lanes},
                                          {"threads_per_lane", torch::get_num_threads()},
                                          {"seconds", since(start)}});
        training = merged;
    }
    if (!wanted("quality")) {
        const std::string text = nlohmann::json({{"training", training}}).dump(2) + "\n";
        writeFileAtomically(o.out / "training-report.json", text.data(), text.size());
        log("total: " + formatSeconds(since(start)));
        return nlohmann::json{{"training", training}};
    }

    // The check keeps the "training" section of a report already there.
    const std::string seed = nlohmann::json({{"training", training}}).dump(2) + "\n";
    writeFileAtomically(o.out / "training-report.json", seed.data(), seed.size());
    QualityOptions quality;
    quality.scale = std::min(1.0, o.scale);
    nlohmann::json report;
    stage("quality", [&] { report = checkSynthFaceModels(o.out, quality, say); });
    if (partial) {
        training["partial_runs"].back()["seconds"] = since(start);
    } else {
        training["seconds"]["total"] = since(start);
    }
    report["training"] = training;
    const std::string text = report.dump(2) + "\n";
    writeFileAtomically(o.out / "training-report.json", text.data(), text.size());
    log(summarizeReport(report));
    log("total: " + formatSeconds(since(start)));
    return report;
}

} // namespace pae::synthface
