// The whole training run: vocabulary, CLIP, generator, regressor, then the quality report.
#include "core/synthface/train.h"

#include "core/synthface/train_data.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <sstream>

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

// Full-scale step counts, sized for about 40 minutes on one intra-op thread of a shared
// two-core machine (CLIP ~0.6 s, generator ~0.17 s, regressor ~0.2 s a step).
constexpr int64_t kClipSteps = 1200;
constexpr int64_t kGeneratorSteps = 6000;
constexpr int64_t kRegressorSteps = 1500;

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

nlohmann::json trainSynthFace(const TrainOptions& o, const TrainLog& log)
{
    if (o.out.empty())
        throw UsageError("--out: no output folder given");
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
    nlohmann::json training = {{"seed", o.seed}, {"scale", o.scale}, {"threads", torch::get_num_threads()}};
    auto stage = [&](const char* name, const std::function<void()>& run) {
        const auto t = std::chrono::steady_clock::now();
        log(std::string("── ") + name);
        run();
        training["seconds"][name] = since(t);
        log(std::string(name) + ": done in " + formatSeconds(since(t)));
    };

    const fs::path corpusRoot = promptsDir() / "synthface";
    int64_t vocabSize = 0;
    stage("vocabulary", [&] { vocabSize = trainVocabulary(corpusRoot, o.out / "clip", log); });
    training["vocabulary_size"] = vocabSize;

    ClipTrainOptions clip;
    clip.steps = scaledSteps(kClipSteps, o.scale);
    clip.seed = o.seed;
    training["clip"] = {{"steps", clip.steps}, {"batch", clip.batch}, {"lr", clip.lr}};
    stage("clip", [&] { trainClip(o.out / "clip", clip, log); });

    GeneratorTrainOptions generator;
    generator.steps = scaledSteps(kGeneratorSteps, o.scale);
    generator.seed = o.seed;
    training["generator"] = {{"steps", generator.steps}, {"batch", generator.batch}, {"lr", generator.lr}};
    stage("generator", [&] { trainGenerator(o.out / "generator.safetensors", generator, log); });

    RegressorTrainOptions regressor;
    regressor.steps = scaledSteps(kRegressorSteps, o.scale);
    regressor.seed = o.seed;
    training["regressor"] = {{"steps", regressor.steps}, {"batch", regressor.batch}, {"lr", regressor.lr}};
    stage("regressor", [&] { trainRegressor(o.out / "regressor.safetensors", regressor, log); });
    training["seconds"]["training_total"] = since(start);

    // The check keeps the "training" section of a report already there.
    const std::string seed = nlohmann::json({{"training", training}}).dump(2) + "\n";
    writeFileAtomically(o.out / "training-report.json", seed.data(), seed.size());
    QualityOptions quality;
    quality.scale = std::min(1.0, o.scale);
    nlohmann::json report;
    stage("quality", [&] { report = checkSynthFaceModels(o.out, quality, log); });
    training["seconds"]["total"] = since(start);
    report["training"] = training;
    const std::string text = report.dump(2) + "\n";
    writeFileAtomically(o.out / "training-report.json", text.data(), text.size());
    log(summarizeReport(report));
    log("total: " + formatSeconds(since(start)));
    return report;
}

} // namespace pae::synthface
