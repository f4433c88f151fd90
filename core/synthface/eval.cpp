#include "core/synthface/eval.h"

#include "core/edit/edit_job.h"
#include "core/edit/inversion.h"
#include "core/edit/model_set.h"
#include "core/edit/preset.h"
#include "core/io/image.h"
#include "core/pae/corpus.h"
#include "core/synthface/regressor.h"
#include "core/synthface/renderer.h"
#include "core/util/error.h"
#include "core/util/format.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>

namespace pae::synthface {
namespace {

// What the regressor reads, turned into numbers comparable across attributes: each in
// [0,1] of its range; Binary as the probability present; Categorical per category.
struct Reading {
    std::array<float, kAttrCount> normalized{};
    std::array<float, kHairColorCount> hairProb{};
};

std::vector<Reading> readImages(AttributeRegressor& regressor, const std::vector<ImageRGB>& images)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> batch;
    for (const auto& image : images)
        batch.push_back(io::imageToTensor(image));
    const RegressorReading r = regressor->read(torch::cat(batch, 0));
    const auto values = r.values.cpu();
    const auto hair = r.hairColorProb.cpu();
    const auto binary = r.binaryProb.cpu();
    std::vector<Reading> out(images.size());
    for (size_t n = 0; n < images.size(); ++n) {
        for (int a = 0; a < kAttrCount; ++a) {
            const AttrInfo& ai = attributeTable()[size_t(a)];
            const float v = values[long(n)][a].item<float>();
            out[n].normalized[size_t(a)] = (v - ai.minValue) / std::max(1e-6f, ai.maxValue - ai.minValue);
        }
        const auto& binaries = binaryAttributes();
        for (size_t b = 0; b < binaries.size(); ++b)
            out[n].normalized[size_t(binaries[b])] = binary[long(n)][long(b)].item<float>();
        for (int c = 0; c < kHairColorCount; ++c)
            out[n].hairProb[size_t(c)] = hair[long(n)][c].item<float>();
    }
    return out;
}

// Signed change of the probe's attribute, in the asked direction (positive = as asked).
float targetChange(const EvalProbe& probe, const Reading& before, const Reading& after)
{
    if (probe.attribute == Attr::HairColor)
        return after.hairProb[size_t(probe.category)] - before.hairProb[size_t(probe.category)];
    const size_t a = size_t(probe.attribute);
    return float(probe.direction) * (after.normalized[a] - before.normalized[a]);
}

// How far the attribute can still move the asked way.
float headroom(const EvalProbe& probe, const Reading& before)
{
    if (probe.attribute == Attr::HairColor)
        return 1.0f - before.hairProb[size_t(probe.category)];
    const float v = before.normalized[size_t(probe.attribute)];
    return probe.direction > 0 ? 1.0f - v : v;
}

float attributeChange(Attr attr, const Reading& before, const Reading& after)
{
    const size_t a = size_t(attr);
    switch (info(attr).kind) {
    case AttrKind::Categorical: {
        float tv = 0;
        for (int c = 0; c < kHairColorCount; ++c)
            tv += std::abs(after.hairProb[size_t(c)] - before.hairProb[size_t(c)]);
        return 0.5f * tv;
    }
    case AttrKind::Circular: {
        const float d = std::abs(after.normalized[a] - before.normalized[a]);
        return std::min(d, 1.0f - d) * 2.0f;
    }
    default:
        return std::abs(after.normalized[a] - before.normalized[a]);
    }
}

double spearman(const std::vector<double>& x, const std::vector<double>& y)
{
    auto ranks = [](const std::vector<double>& v) {
        std::vector<size_t> order(v.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
        std::vector<double> r(v.size());
        for (size_t i = 0; i < order.size();) {
            size_t j = i;
            while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
                ++j;
            for (size_t k = i; k <= j; ++k)
                r[order[k]] = 0.5 * double(i + j);
            i = j + 1;
        }
        return r;
    };
    const auto rx = ranks(x);
    const auto ry = ranks(y);
    const double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / double(rx.size());
    const double my = std::accumulate(ry.begin(), ry.end(), 0.0) / double(ry.size());
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    if (sxx <= 0 || syy <= 0)
        return std::nan("");
    return sxy / std::sqrt(sxx * syy);
}

struct Accumulator {
    int moved = 0;
    int counted = 0;
    double drift = 0;
    int driftCount = 0;
    double identity = 0;
    int identityCount = 0;
    double spearmanSum = 0;
    int spearmanCount = 0;
    double spearmanMovingSum = 0;
    int spearmanMovingCount = 0;
    std::array<double, kAttrCount> attrDrift{};
    std::array<int, kAttrCount> attrCount{};
    int glassesKept = 0;
    int glassesCounted = 0;

    EvalScores scores() const
    {
        EvalScores s;
        s.edits = counted;
        s.accuracy = counted ? double(moved) / counted : 0.0;
        s.drift = driftCount ? drift / driftCount : 0.0;
        s.identity = identityCount ? identity / identityCount : 0.0;
        if (spearmanCount)
            s.spearman = spearmanSum / spearmanCount;
        if (spearmanMovingCount)
            s.spearmanMoving = spearmanMovingSum / spearmanMovingCount;
        s.spearmanPairs = spearmanCount;
        s.spearmanMovingPairs = spearmanMovingCount;
        if (glassesCounted)
            s.glassesKept = double(glassesKept) / glassesCounted;
        for (int a = 0; a < kAttrCount; ++a)
            if (attrCount[size_t(a)])
                s.driftByAttribute[info(Attr(a)).name] = attrDrift[size_t(a)] / attrCount[size_t(a)];
        return s;
    }
};

// Whether an edit counts for accuracy (the attribute had room to move the asked way) and
// whether it moved (that way, by the margin at least).
struct Outcome {
    bool counted = false;
    bool moved = false;
};

Outcome outcome(const EvalProbe& probe, const Reading& before, const Reading& after, float margin)
{
    Outcome o;
    o.counted = headroom(probe, before) >= margin;
    o.moved = o.counted && targetChange(probe, before, after) >= margin;
    return o;
}

// Accuracy (when the attribute has room to move), drift and identity of one edited face.
void scoreEdit(Accumulator& acc, const EvalProbe& probe, const Reading& before, const Reading& after, float margin)
{
    const auto& corpusAttrs = attributesOfCorpus(probe.corpus);
    const auto identity = identityAttributes();
    const Outcome o = outcome(probe, before, after, margin);
    acc.counted += o.counted ? 1 : 0;
    acc.moved += o.moved ? 1 : 0;
    if (std::find(corpusAttrs.begin(), corpusAttrs.end(), Attr::Glasses) == corpusAttrs.end()) {
        const size_t g = size_t(Attr::Glasses);
        acc.glassesCounted += 1;
        acc.glassesKept += (before.normalized[g] > 0.5f) == (after.normalized[g] > 0.5f) ? 1 : 0;
    }
    for (int i = 0; i < kAttrCount; ++i) {
        const Attr attr = Attr(i);
        if (std::find(corpusAttrs.begin(), corpusAttrs.end(), attr) != corpusAttrs.end())
            continue;
        const float d = attributeChange(attr, before, after);
        acc.attrDrift[size_t(i)] += d;
        acc.attrCount[size_t(i)] += 1;
        if (std::find(identity.begin(), identity.end(), attr) != identity.end()) {
            acc.identity += d;
            acc.identityCount += 1;
        } else {
            acc.drift += d;
            acc.driftCount += 1;
        }
    }
}

} // namespace

const std::vector<EvalProbe>& defaultProbes()
{
    static const std::vector<EvalProbe> probes = {
        {"a happy face", "emotion", Attr::Smile, +1},
        {"a sad face", "emotion", Attr::Smile, -1},
        {"an angry face", "emotion", Attr::BrowAngle, -1},
        {"a surprised face", "emotion", Attr::BrowAngle, +1},
        {"a person with long hair", "hairstyle", Attr::HairLength, +1},
        {"a person with curly hair", "hairstyle", Attr::HairCurl, +1},
        {"a bald person", "hairstyle", Attr::Bald, +1},
        {"a person with blonde hair", "hair-colour", Attr::HairColor, +1, int(HairColorIndex::Blonde)},
        {"a person with black hair", "hair-colour", Attr::HairColor, +1, int(HairColorIndex::Black)},
        {"a face with big eyes", "eyes", Attr::EyeSize, +1},
        {"a face with small eyes", "eyes", Attr::EyeSize, -1},
        {"a face with a wide mouth", "mouth", Attr::MouthWidth, +1},
        {"a person wearing glasses", "glasses", Attr::Glasses, +1},
        {"a man with a beard", "beard", Attr::Beard, +1},
    };
    return probes;
}

namespace {

// The benchmark prompts of one corpus (all when empty), or the first of each corpus.
std::vector<EvalProbe> selectProbes(const std::string& corpusFilter, bool firstPerCorpus)
{
    std::vector<EvalProbe> probes;
    for (const auto& p : defaultProbes()) {
        if (!corpusFilter.empty() && p.corpus != corpusFilter)
            continue;
        if (firstPerCorpus &&
            std::any_of(probes.begin(), probes.end(), [&](const EvalProbe& q) { return q.corpus == p.corpus; }))
            continue;
        probes.push_back(p);
    }
    if (probes.empty())
        throw UsageError("corpus: no benchmark prompts for '" + corpusFilter + "'");
    return probes;
}

} // namespace

namespace {

// A λ as the reports name it: "2", "0.5" (the shortest form that reads back the same).
std::string lambdaKey(float lambda)
{
    std::ostringstream out;
    out << lambda;
    return out.str();
}

// "L2 0.1, rows all in W+": what a report says its edits ran with.
std::string settingsText(const EditRequest& r)
{
    std::ostringstream out;
    out << "L2 " << r.l2Weight << ", rows " << formatLayers(r.layers) << " in "
        << (r.sharedOffset ? "W (one offset)" : "W+");
    return out.str();
}

} // namespace

EvalReport runEval(const EvalOptions& options, const std::function<void(int, int)>& progress)
{
    if (options.faces < 1)
        throw UsageError("faces: must be at least 1");
    if (options.lambdas.size() < 2)
        throw UsageError("lambdas: Spearman's correlation needs at least two λ values");
    const auto started = std::chrono::steady_clock::now();
    const std::shared_ptr<ModelSet> models = ModelSet::load(ModelPaths{});
    AttributeRegressor regressor = loadBuiltinRegressor();
    std::vector<EvalProbe> probes = selectProbes(options.corpusFilter, false);
    if (!options.promptFilter.empty()) {
        probes.erase(std::remove_if(probes.begin(), probes.end(),
                                    [&](const EvalProbe& p) { return p.prompt != options.promptFilter; }),
                     probes.end());
        if (probes.empty())
            throw UsageError("prompt: '" + options.promptFilter + "' is not one of the benchmark prompts" +
                             (options.corpusFilter.empty() ? "" : " of corpus '" + options.corpusFilter + "'") +
                             " (pae-cli synthface eval --help lists them)");
    }

    const float idWeight = options.idWeight.value_or(EditRequest::defaults(models->info()).idWeight);
    if (idWeight > 0 && options.idWeight && models->info().identityDescription.empty())
        throw UsageError("id-weight: no identity model is loaded, so an identity weight has nothing to weigh");
    // Each corpus's settings: what the studio would use (the header's), then the options.
    std::map<std::string, EditRequest> corpusSettings;
    for (const EvalProbe& probe : probes) {
        if (corpusSettings.count(probe.corpus))
            continue;
        EditRequest r = EditRequest::defaults(models->info(), findCorpus(probe.corpus, models->info().corpusRoot));
        r.corpus = probe.corpus;
        r.l2Weight = options.l2Weight.value_or(r.l2Weight);
        r.idWeight = idWeight;
        if (options.layers)
            r.layers = parseLayers(*options.layers, models->info().numLatents, "layers");
        r.sharedOffset = options.sharedOffset.value_or(r.sharedOffset);
        r.steps = options.steps;
        r.previewEvery = 0;
        corpusSettings.emplace(probe.corpus, r);
    }
    std::map<std::string, Accumulator> overall;
    std::map<std::string, std::map<std::string, Accumulator>> byCorpus;
    std::map<std::string, std::map<std::string, Accumulator>> byPrompt;
    std::map<std::string, std::map<std::string, Accumulator>> byLambda;
    const int total = options.faces * int(probes.size()) * int(options.targets.size());
    std::vector<EvalEdit> edits;
    int done = 0;
    for (int f = 0; f < options.faces; ++f) {
        const Latent source = models->latentFromSeed(options.firstSeed + uint64_t(f));
        const Reading before = readImages(regressor, {models->render(source)})[0];
        for (const EvalProbe& probe : probes) {
            for (TargetKind target : options.targets) {
                EditRequest request = corpusSettings.at(probe.corpus);
                request.source = source;
                request.prompt = probe.prompt;
                request.target = target;
                // The text target ignores λ: one run stands for every λ.
                request.lambdas =
                    target == TargetKind::Text ? std::vector<float>{options.lambdas.front()} : options.lambdas;
                const EditResult result = EditJob(models).run(request);
                const std::vector<Reading> after = readImages(regressor, result.images);
                const std::string name = toString(target);
                Accumulator& all = overall[name];
                Accumulator& mine = byCorpus[name][probe.corpus];
                Accumulator& prompt = byPrompt[name][probe.prompt];
                std::vector<double> lambdaValues, changes;
                for (size_t k = 0; k < options.lambdas.size(); ++k) {
                    const Reading& a = after[target == TargetKind::Text ? 0 : k];
                    lambdaValues.push_back(options.lambdas[k]);
                    changes.push_back(targetChange(probe, before, a));
                    Accumulator& strength = byLambda[name][lambdaKey(options.lambdas[k])];
                    for (Accumulator* acc : {&all, &mine, &prompt, &strength})
                        scoreEdit(*acc, probe, before, a, options.margin);
                    if (target != TargetKind::Text || k == 0) {
                        EvalEdit e;
                        e.seed = options.firstSeed + uint64_t(f);
                        e.prompt = probe.prompt;
                        e.target = name;
                        e.lambda = options.lambdas[k];
                        e.change = changes.back();
                        const Outcome o = outcome(probe, before, a, options.margin);
                        e.counted = o.counted;
                        e.moved = o.moved;
                        edits.push_back(std::move(e));
                    }
                }
                if (target != TargetKind::Text) {
                    const double rho = spearman(lambdaValues, changes);
                    const auto [least, most] = std::minmax_element(changes.begin(), changes.end());
                    const bool moves = *most - *least >= double(options.margin);
                    if (std::isfinite(rho))
                        for (Accumulator* acc : {&all, &mine, &prompt}) {
                            acc->spearmanSum += rho;
                            acc->spearmanCount += 1;
                            acc->spearmanMovingSum += moves ? rho : 0.0;
                            acc->spearmanMovingCount += moves ? 1 : 0;
                        }
                }
                if (progress)
                    progress(++done, total);
            }
        }
    }
    EvalReport report;
    report.options = options;
    report.edits = std::move(edits);
    for (const auto& [corpus, r] : corpusSettings)
        report.settingsByCorpus[corpus] = settingsText(r);
    report.idWeight = models->info().identityDescription.empty() ? 0.f : idWeight;
    for (const auto& [name, acc] : overall)
        report.overall[name] = acc.scores();
    for (const auto& [name, corpora] : byCorpus)
        for (const auto& [corpus, acc] : corpora)
            report.byCorpus[name][corpus] = acc.scores();
    for (const auto& [name, prompts] : byPrompt)
        for (const auto& [prompt, acc] : prompts)
            report.byPrompt[name][prompt] = acc.scores();
    for (const auto& [name, lambdas] : byLambda)
        for (const auto& [lambda, acc] : lambdas)
            report.byLambda[name][lambda] = acc.scores();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

PresetEvalReport runPresetEval(const PresetEvalOptions& options, const std::function<void(int, int)>& progress)
{
    if (options.faces < 1)
        throw UsageError("faces: must be at least 1");
    if (options.steps < 1)
        throw UsageError("steps: must be at least 1");
    if (options.refineSteps < 0)
        throw UsageError("refine-steps: must be ≥ 0");
    const auto started = std::chrono::steady_clock::now();
    const std::shared_ptr<ModelSet> models = ModelSet::load(ModelPaths{});
    AttributeRegressor regressor = loadBuiltinRegressor();
    const std::vector<EvalProbe> probes = selectProbes(options.corpusFilter, options.firstProbePerCorpus);

    const float lambda = options.lambda.value_or(EditRequest::defaults(models->info()).lambdas.front());
    // The studio's default edit in each probe's corpus (its header's settings), with the options.
    auto baseFor = [&](const EvalProbe& probe) {
        EditRequest base = EditRequest::defaults(models->info(), findCorpus(probe.corpus, models->info().corpusRoot));
        base.corpus = probe.corpus;
        base.l2Weight = options.l2Weight.value_or(base.l2Weight);
        base.previewEvery = 0;
        base.steps = options.steps;
        base.lambdas = {lambda};
        base.target = TargetKind::PaePlus;
        return base;
    };

    // The faces and how the regressor reads them, once for every probe.
    std::vector<Latent> faces;
    std::vector<Reading> before;
    for (int f = 0; f < options.faces; ++f) {
        uint64_t seed = options.firstSeed + uint64_t(f);
        if (seed >= options.presetSeed && options.firstSeed <= options.presetSeed)
            seed += 1; // never the face the preset was learned on
        faces.push_back(models->latentFromSeed(seed));
        before.push_back(readImages(regressor, {models->render(faces.back())})[0]);
    }
    const int methodsPerFace = options.refineSteps > 0 ? 3 : 2;
    const int total = int(probes.size()) * (1 + options.faces * methodsPerFace);
    int done = 0;
    auto tick = [&] {
        if (progress)
            progress(++done, total);
    };
    auto seconds = [](auto since) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
    };

    PresetEvalReport report;
    report.options = options;
    report.options.lambda = lambda;
    std::map<std::string, Accumulator> overall;
    std::map<std::string, double> overallSeconds;
    for (const EvalProbe& probe : probes) {
        const EditRequest base = baseFor(probe);
        report.settingsByCorpus[probe.corpus] = settingsText(base);
        EditRequest learn = base;
        learn.source = models->latentFromSeed(options.presetSeed);
        learn.prompt = probe.prompt;
        learn.corpus = probe.corpus;
        const EditResult learned = EditJob(models).run(learn);
        EditPreset preset;
        preset.name = probe.prompt;
        preset.prompt = probe.prompt;
        preset.corpus = probe.corpus;
        preset.target = toString(learn.target);
        preset.lambda = lambda;
        preset.source = learn.source;
        preset.delta = editDelta(learn.source, learned.latents.front());
        tick();

        std::map<std::string, Accumulator> acc;
        std::map<std::string, double> time;
        for (size_t f = 0; f < faces.size(); ++f) {
            auto t0 = std::chrono::steady_clock::now();
            EditRequest own = base;
            own.source = faces[f];
            own.prompt = probe.prompt;
            own.corpus = probe.corpus;
            const ImageRGB ownImage = EditJob(models).run(own).images.front();
            time["per-face"] += seconds(t0);
            tick();

            t0 = std::chrono::steady_clock::now();
            const ImageRGB transferred = models->render(applyPresets(faces[f], {&preset}, {1.0f}));
            time["preset"] += seconds(t0);
            tick();

            std::vector<std::pair<std::string, ImageRGB>> images{{"per-face", ownImage}, {"preset", transferred}};
            if (options.refineSteps > 0) {
                t0 = std::chrono::steady_clock::now();
                const EditRequest refine = refineRequest(preset, faces[f], 1.0f, options.refineSteps, base);
                images.emplace_back("preset+refine", EditJob(models).run(refine).images.front());
                time["preset+refine"] += seconds(t0);
                tick();
            }
            for (const auto& [method, image] : images) {
                const Reading after = readImages(regressor, {image})[0];
                scoreEdit(acc[method], probe, before[f], after, options.margin);
                scoreEdit(overall[method], probe, before[f], after, options.margin);
            }
        }
        PresetEvalRow row;
        row.probe = probe;
        for (const auto& [method, a] : acc) {
            row.methods[method] = {a.scores(), time[method] / double(faces.size())};
            overallSeconds[method] += time[method];
        }
        report.rows.push_back(row);
    }
    const double edits = double(faces.size() * probes.size());
    for (const auto& [method, a] : overall)
        report.overall[method] = {a.scores(), overallSeconds[method] / edits};
    report.seconds = seconds(started);
    return report;
}

std::string PresetEvalReport::toMarkdown() const
{
    const std::vector<std::string> methods = options.refineSteps > 0
                                                 ? std::vector<std::string>{"per-face", "preset", "preset+refine"}
                                                 : std::vector<std::string>{"per-face", "preset"};
    std::ostringstream out;
    out << "| prompt (corpus) | method | accuracy ↑ | drift ↓ | identity change ↓ | s per face |\n"
        << "|---|---|---|---|---|---|\n";
    auto line = [&](const std::string& what, const std::string& method, const PresetMethodScores& m) {
        out << "| " << what << " | " << method << " | " << fixed(100 * m.scores.accuracy, 1) << "% | "
            << fixed(m.scores.drift, 4) << " | " << fixed(m.scores.identity, 4) << " | "
            << fixed(m.secondsPerFace, m.secondsPerFace < 0.1 ? 4 : 2) << " |\n";
    };
    for (const auto& row : rows)
        for (const auto& method : methods)
            if (row.methods.count(method))
                line(row.probe.prompt + " (" + row.probe.corpus + ")", method, row.methods.at(method));
    for (const auto& method : methods)
        if (overall.count(method))
            line("**all**", method, overall.at(method));
    out << "\nEach preset learned on seed " << options.presetSeed << " (pae+, λ " << options.lambda.value_or(0) << ", "
        << options.steps << " steps) and applied at strength 1 to " << options.faces << " faces (seeds "
        << options.firstSeed << "…); per-face: the same edit optimized on each face";
    if (options.refineSteps > 0)
        out << "; preset+refine: the preset, then " << options.refineSteps << " steps on the face";
    out << "; margin " << options.margin << "; " << fixed(seconds, 0) << " s. Per corpus:";
    for (const auto& [corpus, settings] : settingsByCorpus)
        out << "\n- " << corpus << ": " << settings;
    out << "\n";
    return out.str();
}

std::string PresetEvalReport::toJson() const
{
    auto scoresJson = [](const PresetMethodScores& m) {
        return nlohmann::json{{"accuracy", m.scores.accuracy},
                              {"drift", m.scores.drift},
                              {"identity", m.scores.identity},
                              {"edits", m.scores.edits},
                              {"seconds_per_face", m.secondsPerFace}};
    };
    nlohmann::json j;
    for (const auto& [method, m] : overall)
        j["overall"][method] = scoresJson(m);
    j["probes"] = nlohmann::json::array();
    for (const auto& row : rows) {
        nlohmann::json r{{"prompt", row.probe.prompt}, {"corpus", row.probe.corpus}};
        for (const auto& [method, m] : row.methods)
            r[method] = scoresJson(m);
        j["probes"].push_back(r);
    }
    j["faces"] = options.faces;
    j["steps"] = options.steps;
    j["refine_steps"] = options.refineSteps;
    j["lambda"] = options.lambda.value_or(0);
    j["settings_by_corpus"] = settingsByCorpus;
    j["seconds"] = seconds;
    return j.dump();
}

std::string EvalReport::toMarkdown() const
{
    std::ostringstream out;
    out << "| target | accuracy ↑ | drift ↓ | Spearman(λ, change) ↑ | identity change ↓ | glasses kept ↑ | edits |\n"
        << "|---|---|---|---|---|---|---|\n";
    for (const auto& [name, s] : overall)
        out << "| " << name << " | " << fixed(100 * s.accuracy, 1) << "% | " << fixed(s.drift, 4) << " | "
            << (s.spearman ? fixed(*s.spearman, 3) : std::string("n/a (λ unused)")) << " | " << fixed(s.identity, 4)
            << " | " << (s.glassesKept ? fixed(100 * *s.glassesKept, 1) + "%" : std::string("–")) << " | " << s.edits
            << " |\n";
    // Spearman where λ makes a difference: the pairs whose change spreads by the margin.
    bool anyMoving = false;
    for (const auto& [name, s] : overall)
        anyMoving = anyMoving || s.spearmanPairs > 0;
    if (anyMoving) {
        out << "\nSpearman over the (face, prompt) pairs whose change differs across λ by at least the margin "
            << options.margin << " (the others hardly move at any λ, or move all the way at the smallest):";
        bool first = true;
        for (const auto& [name, s] : overall) {
            if (!s.spearmanPairs)
                continue;
            out << (first ? " " : "; ") << name << " "
                << (s.spearmanMoving ? fixed(*s.spearmanMoving, 3) : std::string("n/a")) << " ("
                << s.spearmanMovingPairs << " of " << s.spearmanPairs << " pairs)";
            first = false;
        }
        out << ".\n";
    }
    // A table with one column per target after its first column.
    auto header = [&](const std::string& title, const std::string& first) {
        out << "\n" << title << ":\n\n| " << first << " |";
        for (const auto& [name, s] : overall)
            out << " " << name << " |";
        out << "\n|---|";
        for (size_t i = 0; i < overall.size(); ++i)
            out << "---|";
        out << "\n";
    };
    // One row per key (a corpus or a prompt), "accuracy / drift" per target; keys no target
    // measured are left out.
    auto accuracyDriftRows = [&](const std::map<std::string, std::map<std::string, EvalScores>>& byKey,
                                 const std::vector<std::string>& keys) {
        for (const auto& key : keys) {
            bool any = false;
            std::ostringstream row;
            row << "| " << key << " |";
            for (const auto& [name, s] : overall) {
                const auto target = byKey.find(name);
                const auto it = target == byKey.end() ? decltype(target->second.end()){} : target->second.find(key);
                if (target == byKey.end() || it == target->second.end()) {
                    row << " – |";
                    continue;
                }
                any = true;
                row << " " << fixed(100 * it->second.accuracy, 0) << "% / " << fixed(it->second.drift, 3) << " |";
            }
            if (any)
                out << row.str() << "\n";
        }
    };
    std::vector<std::string> corpora, prompts;
    for (const auto& p : defaultProbes()) {
        if (std::find(corpora.begin(), corpora.end(), p.corpus) == corpora.end())
            corpora.push_back(p.corpus);
        prompts.push_back(p.prompt);
    }
    header("By corpus (accuracy / drift)", "corpus");
    accuracyDriftRows(byCorpus, corpora);
    header("By prompt (accuracy / drift)", "prompt");
    accuracyDriftRows(byPrompt, prompts);
    // Which strength does what (text ignores λ: its one edit counts under every λ).
    std::vector<std::string> lambdas;
    for (float lambda : options.lambdas)
        if (const std::string key = lambdaKey(lambda); std::find(lambdas.begin(), lambdas.end(), key) == lambdas.end())
            lambdas.push_back(key);
    header("By λ (accuracy / drift; text ignores λ)", "λ");
    accuracyDriftRows(byLambda, lambdas);
    header("Drift by attribute (mean |Δ|, attributes outside the prompt's corpus)", "attribute");
    for (const AttrInfo& ai : attributeTable()) {
        std::ostringstream row;
        row << "| " << ai.name << " |";
        bool any = false;
        for (const auto& [name, s] : overall) {
            const auto it = s.driftByAttribute.find(ai.name);
            any = any || it != s.driftByAttribute.end();
            row << " " << (it == s.driftByAttribute.end() ? std::string("–") : fixed(it->second, 3)) << " |";
        }
        if (any)
            out << row.str() << "\n";
    }
    out << "\n"
        << options.faces << (options.faces == 1 ? " face (seed " : " faces (seeds ") << options.firstSeed
        << (options.faces == 1 ? "" : "…" + std::to_string(options.firstSeed + uint64_t(options.faces) - 1))
        << "), λ ∈ {";
    for (size_t k = 0; k < options.lambdas.size(); ++k)
        out << (k ? ", " : "") << options.lambdas[k];
    out << "}, " << options.steps << " steps, identity weight " << idWeight << ", margin " << options.margin << "; "
        << fixed(seconds, 0) << " s. Per corpus:";
    for (const auto& [corpus, settings] : settingsByCorpus)
        out << "\n- " << corpus << ": " << settings;
    out << "\n";
    return out.str();
}

std::string EvalReport::toJson() const
{
    auto scoresJson = [](const EvalScores& s) {
        nlohmann::json j{{"accuracy", s.accuracy}, {"drift", s.drift}, {"identity", s.identity}, {"edits", s.edits}};
        j["spearman"] = s.spearman ? nlohmann::json(*s.spearman) : nlohmann::json(nullptr);
        j["spearman_moving"] = s.spearmanMoving ? nlohmann::json(*s.spearmanMoving) : nlohmann::json(nullptr);
        j["spearman_pairs"] = s.spearmanPairs;
        j["spearman_moving_pairs"] = s.spearmanMovingPairs;
        j["glasses_kept"] = s.glassesKept ? nlohmann::json(*s.glassesKept) : nlohmann::json(nullptr);
        return j;
    };
    nlohmann::json j;
    for (const auto& [name, s] : overall) {
        j[name] = scoresJson(s);
        j[name]["drift_by_attribute"] = s.driftByAttribute;
        nlohmann::json perCorpus = nlohmann::json::object();
        if (const auto it = byCorpus.find(name); it != byCorpus.end())
            for (const auto& [corpus, c] : it->second)
                perCorpus[corpus] = scoresJson(c);
        j[name]["per_corpus"] = perCorpus;
        nlohmann::json perLambda = nlohmann::json::object();
        if (const auto it = byLambda.find(name); it != byLambda.end())
            for (const auto& [lambda, c] : it->second)
                perLambda[lambda] = scoresJson(c);
        j[name]["per_lambda"] = perLambda;
        nlohmann::json edited = nlohmann::json::array();
        for (const EvalEdit& e : edits)
            if (e.target == name)
                edited.push_back({{"seed", e.seed},
                                  {"prompt", e.prompt},
                                  {"lambda", e.lambda},
                                  {"change", e.change},
                                  {"counted", e.counted},
                                  {"moved", e.moved}});
        j[name]["edits"] = edited;
    }
    return j.dump();
}

InversionEvalReport runInversionEval(const InversionEvalOptions& options, const std::function<void(int, int)>& progress)
{
    if (options.faces < 1)
        throw UsageError("faces: must be at least 1");
    const std::shared_ptr<ModelSet> models = ModelSet::load(ModelPaths{});
    AttributeRegressor regressor = loadBuiltinRegressor();
    InversionRequest request;
    request.steps = options.steps;
    request.perceptualWeight = options.perceptualWeight;
    request.meanWeight = options.meanWeight;
    request.useEncoder = options.useEncoder;
    request.previewEvery = 0;
    const int size = models->info().resolution;

    InversionEvalReport report;
    report.options = options;
    std::array<double, kAttrCount> change{};
    int binarySame = 0, binaryCount = 0, hairSame = 0;
    for (int f = 0; f < options.faces; ++f) {
        request.image = render(sampleAttributes(options.firstSeed + uint64_t(f)), size);
        request.validate();
        const InversionResult result = InversionJob(models).run(request);
        report.psnr.push_back(result.psnr);
        report.seconds.push_back(result.seconds);
        const std::vector<Reading> r = readImages(regressor, {request.image, result.image});
        for (int a = 0; a < kAttrCount; ++a)
            change[size_t(a)] += attributeChange(Attr(a), r[0], r[1]);
        for (Attr b : binaryAttributes()) {
            binarySame += (r[0].normalized[size_t(b)] >= 0.5f) == (r[1].normalized[size_t(b)] >= 0.5f) ? 1 : 0;
            ++binaryCount;
        }
        const auto likeliest = [](const Reading& x) {
            return std::max_element(x.hairProb.begin(), x.hairProb.end()) - x.hairProb.begin();
        };
        hairSame += likeliest(r[0]) == likeliest(r[1]) ? 1 : 0;
        if (progress)
            progress(f + 1, options.faces);
    }
    double sum = 0;
    for (int a = 0; a < kAttrCount; ++a) {
        const double mean = change[size_t(a)] / options.faces;
        report.changeByAttribute[name(Attr(a))] = mean;
        sum += mean;
    }
    report.attributeChange = sum / kAttrCount;
    report.binaryAgreement = binaryCount ? double(binarySame) / binaryCount : 0.0;
    report.hairColorAgreement = double(hairSame) / options.faces;
    return report;
}

std::string InversionEvalReport::toMarkdown() const
{
    std::vector<double> sortedPsnr = psnr, sortedSeconds = seconds;
    std::sort(sortedPsnr.begin(), sortedPsnr.end());
    std::sort(sortedSeconds.begin(), sortedSeconds.end());
    const auto medianOf = [](const std::vector<double>& v) {
        return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    };
    std::ostringstream out;
    out << "Inversion of " << psnr.size() << " held-out renders (seeds " << options.firstSeed << "…"
        << options.firstSeed + psnr.size() - 1 << "), " << options.steps << " steps"
        << (options.useEncoder ? " from the encoder's W+" : "") << ", perceptual " << fixed(options.perceptualWeight, 3)
        << ", mean-reg " << fixed(options.meanWeight, 3) << "\n\n";
    out << "| PSNR median (min–max) | attribute change | binary agreement | hair colour agreement | seconds median "
           "(min) |\n";
    out << "|---|---|---|---|---|\n";
    out << "| " << fixed(medianOf(sortedPsnr), 2) << " dB (" << fixed(sortedPsnr.front(), 2) << "–"
        << fixed(sortedPsnr.back(), 2) << ") | " << fixed(attributeChange, 4) << " | " << fixed(binaryAgreement, 3)
        << " | " << fixed(hairColorAgreement, 3) << " | " << fixed(medianOf(sortedSeconds), 1) << " ("
        << fixed(sortedSeconds.front(), 1) << ") |\n\n";
    out << "Attribute change by attribute (mean |Δ|, normalized):";
    for (const auto& [attr, v] : changeByAttribute)
        out << " " << attr << " " << fixed(v, 3) << ";";
    out << "\n";
    return out.str();
}

std::string InversionEvalReport::toJson() const
{
    nlohmann::json j{{"faces", psnr.size()},
                     {"first_seed", options.firstSeed},
                     {"steps", options.steps},
                     {"perceptual", options.perceptualWeight},
                     {"mean_reg", options.meanWeight},
                     {"encoder", options.useEncoder},
                     {"psnr", psnr},
                     {"seconds", seconds},
                     {"attribute_change", attributeChange},
                     {"change_by_attribute", changeByAttribute},
                     {"binary_agreement", binaryAgreement},
                     {"hair_color_agreement", hairColorAgreement}};
    return j.dump();
}

} // namespace pae::synthface
