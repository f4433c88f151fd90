// Stage 5: the quality report of the built-in models, on faces no training stage saw:
// tiny-CLIP zero-shot accuracy on opposing prompts, generator PSNR, regressor R² and
// accuracy. Also run alone by `pae-cli synthface check`.
#include "core/edit/inversion.h"
#include "core/edit/model_set.h"
#include "core/io/image.h"
#include "core/models/clip_preprocess.h"
#include "core/synthface/captions.h"
#include "core/synthface/latent_attributes.h"
#include "core/synthface/regressor.h"
#include "core/synthface/train.h"
#include "core/synthface/train_data.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace pae::synthface {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kZeroShotBar = 0.9;
constexpr double kPsnrBar = 24.0;
constexpr double kR2Bar = 0.9;
constexpr double kAccuracyBar = 0.95;

using Predicate = std::function<bool(const Attributes&)>;

bool has(const Attributes& a, Concept c)
{
    const auto present = presentConcepts(a);
    return std::find(present.begin(), present.end(), c) != present.end();
}

// Two opposing looks, each with prompts in the corpora's wording and the faces that
// clearly show it (the caption grammar's thresholds).
struct Pair {
    const char* name;
    std::vector<std::string> promptsA, promptsB;
    Predicate a, b;
};

std::vector<Pair> zeroShotPairs()
{
    const auto concept = [](Concept c) { return [c](const Attributes& x) { return has(x, c); }; };
    return {
        {"happy_sad",
         {"a happy face", "a smiling face"},
         {"a sad face", "an unhappy face"},
         concept(Concept::Happy),
         concept(Concept::Sad)},
        {"angry_surprised",
         {"an angry face", "a furious face"},
         {"a surprised face", "an astonished face"},
         concept(Concept::Angry),
         concept(Concept::Surprised)},
        {"blonde_black_hair",
         {"a person with blonde hair", "a person with blond hair"},
         {"a person with black hair", "a person with jet black hair"},
         concept(Concept::BlondeHair),
         concept(Concept::BlackHair)},
        {"bald_long_hair",
         {"a person with a bald head", "a person with a shaved head"},
         {"a person with long hair", "a person with flowing hair"},
         concept(Concept::Bald),
         concept(Concept::LongHair)},
        // Captions never name an absent feature, so "no glasses" is the plain noun.
        {"glasses_none",
         {"a person wearing glasses", "a face with glasses"},
         {"a person", "a face"},
         [](const Attributes& x) { return x.glasses(); },
         [](const Attributes& x) { return !x.glasses(); }},
        {"large_small_eyes",
         {"a face with big eyes", "a face with large eyes"},
         {"a face with small eyes", "a face with tiny eyes"},
         concept(Concept::BigEyes),
         concept(Concept::SmallEyes)},
        {"large_small_mouth",
         {"a face with a wide mouth", "a face with a big mouth"},
         {"a face with a small mouth", "a face with a narrow mouth"},
         concept(Concept::WideMouth),
         concept(Concept::SmallMouth)},
    };
}

torch::Tensor normalized(const torch::Tensor& x) { return x / x.norm(2, -1, true).clamp_min(1e-12); }

torch::Tensor embedImages(models::Clip& clip, const torch::Tensor& images01)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (int64_t i = 0; i < images01.size(0); i += 256) {
        const auto chunk = images01.slice(0, i, std::min(images01.size(0), i + 256));
        parts.push_back(clip.model->encodeImage(models::clipPreprocess(chunk, clip.config.vision.imageSize)));
    }
    return normalized(torch::cat(parts, 0));
}

torch::Tensor promptEmbedding(models::Clip& clip, const std::vector<std::string>& prompts)
{
    torch::NoGradGuard noGrad;
    return normalized(normalized(clip.model->encodeText(clip.tokenize(prompts))).mean(0));
}

// Balanced accuracy: the mean of the two sides' accuracies, so a side with few faces
// counts as much as the other.
json pairAccuracy(const Pair& pair, const torch::Tensor& margin, const std::vector<Attributes>& attributes)
{
    int64_t na = 0, nb = 0, ra = 0, rb = 0;
    const auto m = margin.accessor<float, 1>();
    for (size_t i = 0; i < attributes.size(); ++i) {
        if (pair.a(attributes[i])) {
            ++na;
            ra += m[int64_t(i)] > 0;
        } else if (pair.b(attributes[i])) {
            ++nb;
            rb += m[int64_t(i)] < 0;
        }
    }
    const double accA = na ? double(ra) / na : 0.0, accB = nb ? double(rb) / nb : 0.0;
    return json{{"faces_a", na},
                {"faces_b", nb},
                {"accuracy_a", accA},
                {"accuracy_b", accB},
                {"accuracy", na && nb ? 0.5 * (accA + accB) : 0.0}};
}

double r2(const std::vector<double>& truth, const std::vector<double>& pred)
{
    if (truth.size() < 2)
        return 0.0;
    double mean = 0;
    for (double t : truth)
        mean += t;
    mean /= double(truth.size());
    double ssRes = 0, ssTot = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
        ssRes += (truth[i] - pred[i]) * (truth[i] - pred[i]);
        ssTot += (truth[i] - mean) * (truth[i] - mean);
    }
    return ssTot > 0 ? 1.0 - ssRes / ssTot : 0.0;
}

// On the hue circle: residuals are the shortest arcs, the spread is about the circular mean.
double circularR2(const std::vector<double>& truth, const std::vector<double>& pred)
{
    constexpr double kTwoPi = 6.283185307179586;
    double c = 0, s = 0;
    for (double t : truth) {
        c += std::cos(kTwoPi * t);
        s += std::sin(kTwoPi * t);
    }
    const double mean = std::atan2(s, c) / kTwoPi;
    auto arc = [](double a, double b) {
        double d = std::fmod(std::abs(a - b), 1.0);
        return std::min(d, 1.0 - d);
    };
    double ssRes = 0, ssTot = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
        ssRes += arc(truth[i], pred[i]) * arc(truth[i], pred[i]);
        ssTot += arc(truth[i], mean) * arc(truth[i], mean);
    }
    return ssTot > 0 ? 1.0 - ssRes / ssTot : 0.0;
}

json regressorMetrics(AttributeRegressor& regressor, const torch::Tensor& images01,
                      const std::vector<Attributes>& attributes)
{
    torch::Tensor values;
    {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> parts;
        for (int64_t i = 0; i < images01.size(0); i += 256)
            parts.push_back(regressor->read(images01.slice(0, i, std::min(images01.size(0), i + 256))).values);
        values = torch::cat(parts, 0).contiguous();
    }
    const auto v = values.accessor<float, 2>();
    json r2s = json::object(), accuracies = json::object();
    for (const AttrInfo& info : attributeTable()) {
        const int k = int(info.attr);
        const bool hairShape = info.attr == Attr::HairLength || info.attr == Attr::HairCurl;
        std::vector<double> truth, pred;
        int64_t right = 0;
        for (size_t i = 0; i < attributes.size(); ++i) {
            if (hairShape && attributes[i].bald())
                continue;
            truth.push_back(attributes[i].values()[size_t(k)]);
            pred.push_back(v[int64_t(i)][k]);
            right += std::lround(truth.back()) == std::lround(pred.back());
        }
        if (info.kind == AttrKind::Signed || info.kind == AttrKind::Unit)
            r2s[info.name] = r2(truth, pred);
        else if (info.kind == AttrKind::Circular)
            r2s[info.name] = circularR2(truth, pred);
        else
            accuracies[info.name] = truth.empty() ? 0.0 : double(right) / double(truth.size());
    }
    return json{{"faces", attributes.size()}, {"r2", r2s}, {"accuracy", accuracies}};
}

bool regressorPassed(const json& metrics)
{
    bool ok = true;
    for (const auto& item : metrics["r2"].items())
        ok = ok && item.value().get<double>() >= kR2Bar;
    for (const auto& item : metrics["accuracy"].items())
        ok = ok && item.value().get<double>() >= kAccuracyBar;
    return ok;
}

int64_t scaledCount(int64_t count, double scale, int64_t minimum)
{
    return std::max(minimum, int64_t(std::llround(double(count) * scale)));
}

torch::Tensor generate(models::StyleGan2& gan, const torch::Tensor& z)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (int64_t i = 0; i < z.size(0); i += 64) {
        const auto w = gan.generator->mapping(z.slice(0, i, std::min(z.size(0), i + 64)));
        parts.push_back(gan.generator->synthesize(gan.toWPlus(w)));
    }
    return ((torch::cat(parts, 0) + 1.0) * 0.5).clamp(0, 1);
}

// The second reading of "held-out renders reproduced": renders of the world's sampler
// (no latent made them) inverted into W+ by the application's InversionJob, default settings.
// PSNR over the first `count` renders (their mean squared error, not the mean of their
// dB) and seconds per face of InversionJob with this request.
struct InversionScore {
    double psnr = 0;
    double secondsPerFace = 0;
};
InversionScore scoreInversion(const std::shared_ptr<ModelSet>& models, InversionRequest request,
                              const FaceBatch& renders, int64_t count)
{
    double mse = 0, seconds = 0;
    for (int64_t i = 0; i < count; ++i) {
        request.image = io::tensorToImage(renders.images[i]);
        const InversionResult result = InversionJob(models).run(request);
        mse += std::pow(10.0, -double(result.psnr) / 10.0);
        seconds += result.seconds;
    }
    return {-10.0 * std::log10(std::max(mse / double(count), 1e-12)), seconds / double(count)};
}

json measureInversion(const fs::path& dir, const FaceBatch& renders, int64_t count, const TrainLog& log)
{
    ModelPaths paths;
    paths.clipDir = dir / "clip";
    paths.generatorFile = dir / "generator.safetensors";
    paths.device = "cpu";
    const std::shared_ptr<ModelSet> models = ModelSet::load(paths);
    count = std::min<int64_t>(count, renders.images.size(0));
    InversionRequest request;
    request.previewEvery = 0;
    const InversionScore alone = scoreInversion(models, request, renders, count);
    const double psnr = alone.psnr;
    log("check: " + std::to_string(count) + " held-out renders inverted: " + std::to_string(psnr) + " dB");
    json out = {{"faces", count},
                {"steps", request.steps},
                {"psnr_db", psnr},
                {"seconds_per_face", alone.secondsPerFace},
                {"passed", psnr >= kPsnrBar}};
    // With the world's encoder: its W+ alone, and refined by 50 and by as many steps as the
    // optimization-only inversion above took, on the same faces.
    if (fs::exists(dir / "encoder.safetensors")) {
        paths.encoderFile = dir / "encoder.safetensors";
        const std::shared_ptr<ModelSet> withEncoder = ModelSet::load(paths);
        json encoded = json::object();
        for (const int steps : {0, 50, request.steps}) {
            InversionRequest refine = request;
            refine.steps = steps;
            const InversionScore score = scoreInversion(withEncoder, refine, renders, count);
            const double db = score.psnr;
            encoded["refine_" + std::to_string(steps)] = {
                {"steps", steps}, {"psnr_db", db}, {"seconds_per_face", score.secondsPerFace}};
            log("check: the same renders encoded" +
                (steps ? " and refined " + std::to_string(steps) + " steps" : std::string()) + ": " +
                std::to_string(db) + " dB");
        }
        out["with_encoder"] = encoded;
    }
    return out;
}

} // namespace

json measureSynthFaceModels(const fs::path& dir, const QualityOptions& o, const TrainLog& log)
{
    const fs::path clipDir = dir / "clip", generatorFile = dir / "generator.safetensors",
                   regressorFile = dir / "regressor.safetensors";
    models::Clip clip = loadUnderDefaultGeneratorLock([&] { return models::loadClip(clipDir, torch::kCPU); });
    models::StyleGan2 gan =
        loadUnderDefaultGeneratorLock([&] { return models::loadStyleGan2(generatorFile, torch::kCPU); });
    AttributeRegressor regressor =
        loadUnderDefaultGeneratorLock([&] { return loadRegressor(regressorFile, torch::kCPU); });
    if (gan.config.size != kTrainImageSize)
        throw Error(generatorFile.string() + ": the check compares against " + std::to_string(kTrainImageSize) +
                    "² renders, the generator draws " + std::to_string(gan.config.size) + "²");

    json report = json::object();
    auto fileSize = [](const fs::path& p) {
        std::error_code ec;
        const auto s = fs::is_directory(p) ? [&] {
            uintmax_t total = 0;
            for (const auto& e : fs::directory_iterator(p))
                total += e.file_size();
            return total;
        }()
                                          : fs::file_size(p, ec);
        return s;
    };
    report["models"] = {{"clip", clip.config.describe()},
                        {"generator", gan.config.describe()},
                        {"bytes",
                         {{"clip", fileSize(clipDir)},
                          {"generator", fileSize(generatorFile)},
                          {"regressor", fileSize(regressorFile)}}}};
    report["bars"] = {{"zero_shot_accuracy", kZeroShotBar},
                      {"generator_psnr_db", kPsnrBar},
                      {"regressor_r2", kR2Bar},
                      {"regressor_accuracy", kAccuracyBar}};
    bool passed = true;

    // Held-out faces: renders of the world's sampler and latents, from the check's own seed.
    std::mt19937_64 rng(stageSeed(o.seed, 100));
    auto gen = at::detail::createCPUGenerator(stageSeed(o.seed, 101));
    const FaceBatch renders = renderSampledFaces(rng, int(scaledCount(3000, o.scale, 48)), kTrainImageSize);
    const auto z = torch::randn({scaledCount(512, o.scale, 16), gan.config.styleDim}, gen, torch::kFloat32);
    const FaceBatch targets = renderLatentFaces(z, kTrainImageSize, LatentLook::Graded);
    const auto generated = generate(gan, z);
    log("check: " + std::to_string(renders.attributes.size()) + " held-out renders, " + std::to_string(z.size(0)) +
        " held-out latents");

    // Zero-shot.
    const auto renderEmbeddings = embedImages(clip, renders.images);
    const auto generatedEmbeddings = embedImages(clip, generated);
    json zeroShot = json::object();
    for (const Pair& pair : zeroShotPairs()) {
        const auto direction = promptEmbedding(clip, pair.promptsA) - promptEmbedding(clip, pair.promptsB);
        json entry = pairAccuracy(pair, torch::mv(renderEmbeddings, direction).contiguous(), renders.attributes);
        entry["prompts_a"] = pair.promptsA;
        entry["prompts_b"] = pair.promptsB;
        entry["generator_accuracy"] =
            pairAccuracy(pair, torch::mv(generatedEmbeddings, direction).contiguous(), targets.attributes)["accuracy"];
        entry["passed"] = entry["accuracy"].get<double>() >= kZeroShotBar;
        passed = passed && entry["passed"].get<bool>();
        zeroShot[pair.name] = entry;
    }
    report["zero_shot"] = zeroShot;

    // Generator.
    const double mse = (generated - targets.images).square().mean().item<double>();
    const double psnr = -10.0 * std::log10(std::max(mse, 1e-12));
    report["generator"] = {{"faces", z.size(0)}, {"mse", mse}, {"psnr_db", psnr}, {"passed", psnr >= kPsnrBar}};
    passed = passed && psnr >= kPsnrBar;
    report["generator"]["inverted"] = measureInversion(dir, renders, scaledCount(16, o.scale, 2), log);

    // Regressor.
    json metrics = regressorMetrics(regressor, renders.images, renders.attributes);
    metrics["passed"] = regressorPassed(metrics);
    metrics["on_generator"] = regressorMetrics(regressor, generated, targets.attributes);
    passed = passed && metrics["passed"].get<bool>();
    report["regressor"] = metrics;

    report["passed"] = passed;
    return report;
}

json checkSynthFaceModels(const fs::path& dir, const QualityOptions& o, const TrainLog& log)
{
    json report = measureSynthFaceModels(dir, o, log);
    const fs::path reportFile = dir / "training-report.json";
    if (fs::exists(reportFile)) {
        std::ifstream in(reportFile);
        const json previous = json::parse(in, nullptr, false);
        if (previous.is_object() && previous.contains("training"))
            report["training"] = previous["training"];
    }
    const std::string text = report.dump(2) + "\n";
    writeFileAtomically(reportFile, text.data(), text.size());
    return report;
}

std::string summarizeReport(const json& report)
{
    std::ostringstream out;
    out << std::fixed;
    auto mark = [](bool ok) { return ok ? "ok  " : "FAIL"; };
    out << "zero-shot (balanced accuracy on held-out renders; generator images in brackets), bar "
        << std::setprecision(2) << kZeroShotBar << ":\n";
    for (const auto& item : report["zero_shot"].items()) {
        const json& e = item.value();
        out << "  " << mark(e["passed"].get<bool>()) << " " << std::left << std::setw(18) << item.key() << std::right
            << std::setprecision(3) << e["accuracy"].get<double>() << "  (" << e["faces_a"].get<int64_t>() << " vs "
            << e["faces_b"].get<int64_t>() << " faces; gen " << e["generator_accuracy"].get<double>() << ")\n";
    }
    const json& g = report["generator"];
    out << "generator: " << mark(g["passed"].get<bool>()) << " PSNR " << std::setprecision(2)
        << g["psnr_db"].get<double>() << " dB on " << g["faces"].get<int64_t>() << " held-out latents (bar " << kPsnrBar
        << ")\n";
    if (g.contains("inverted")) {
        const json& v = g["inverted"];
        out << "generator, held-out renders inverted (" << v["steps"].get<int64_t>()
            << " steps each): " << mark(v["passed"].get<bool>()) << " PSNR " << v["psnr_db"].get<double>() << " dB on "
            << v["faces"].get<int64_t>() << " renders\n";
        if (v.contains("with_encoder"))
            for (const auto& item : v["with_encoder"].items())
                out << "  the same, encoder first, then " << item.value()["steps"].get<int64_t>() << " steps: PSNR "
                    << item.value()["psnr_db"].get<double>() << " dB, " << std::setprecision(3)
                    << item.value()["seconds_per_face"].get<double>() << std::setprecision(2) << " s a face\n";
    }
    const json& r = report["regressor"];
    out << "regressor on " << r["faces"].get<int64_t>() << " held-out renders (R² bar " << kR2Bar << ", accuracy bar "
        << kAccuracyBar << "; on generator images in brackets):\n";
    for (const auto& item : r["r2"].items())
        out << "  " << mark(item.value().get<double>() >= kR2Bar) << " R² " << std::left << std::setw(16) << item.key()
            << std::right << std::setprecision(3) << item.value().get<double>() << "  ("
            << r["on_generator"]["r2"][item.key()].get<double>() << ")\n";
    for (const auto& item : r["accuracy"].items())
        out << "  " << mark(item.value().get<double>() >= kAccuracyBar) << " acc " << std::left << std::setw(15)
            << item.key() << std::right << std::setprecision(3) << item.value().get<double>() << "  ("
            << r["on_generator"]["accuracy"][item.key()].get<double>() << ")\n";
    out << (report["passed"].get<bool>() ? "all quality bars met" : "some quality bars NOT met");
    return out.str();
}

} // namespace pae::synthface
