#include "core/edit/edit_request.h"

#include "core/pae/corpus.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace pae {

// ‖w − w0‖² is not scale-free: the built-in generator's W has 16 dimensions and a spread
// of 7.8 (mean ‖w − w_avg‖² per layer, 4,096 samples), 160 values over its 10 layers,
// against FFHQ's 18 × 512, so the paper's 0.008 barely holds a SynthFace face back.
// "A happy face" at λ 8, 200 steps, on seed 3 and seeds 1000–1007, read by the regressor:
//   L2 weight 0.008: smile +0.53, hair colour changed on 6 of 9 faces, drift 0.21
//             0.1:   smile +0.45, hair colour changed on 1 of 9,       drift 0.084
//             0.3:   smile +0.36, hair colour changed on 1 of 9,       drift 0.055
constexpr float kSynthFaceL2Weight = 0.1f;
// pae+ at λ > 1 does not only strengthen the edit: its target i − λ·Σ⟨i,b⟩b + … turns the
// image's own part in the corpus subspace around ((1 − λ)× it), and on the built-in world
// that shows as drift. `synthface eval --lambdas 1,2,4,8 --targets text,pae,pae+` on 10
// faces (seeds 1003–1012, 200 steps), pae+ accuracy / drift against text's 67.2% / 0.089:
//   λ 1: 61% / 0.038   λ 2: 64% / 0.066   λ 4: 67% / 0.095   λ 8: 69% / 0.117
// At λ 2 pae+ drifts 0.74× text at 3 points less accuracy (the paper's claim); at the
// paper's 8 it drifts 1.3× text. A stronger edit is one turn of the λ control away.
constexpr float kSynthFaceLambda = 2.0f;
// The identity term was more than half of a built-in step (27–32 ms without it, 49–68 ms
// with it) and did nothing measurable at the paper's 0.005: `synthface eval --corpus emotion
// --faces 3 --lambdas 5,8` changed the world's identity attributes by 0.0352 without it,
// 0.0346 at 0.005 (0.0298 at 0.05), at the same accuracy. The corpora's W+ rows keep the
// identity better (0.029 with emotion's rows 4–7), so the built-in default is off; the
// Identity weight stays live and every result still reports its identity similarity.
constexpr float kSynthFaceIdWeight = 0.0f;

EditRequest EditRequest::defaults(const ModelInfo& models)
{
    EditRequest r = defaults();
    if (models.builtin) {
        r.lambdas = {kSynthFaceLambda};
        r.l2Weight = kSynthFaceL2Weight;
        r.idWeight = kSynthFaceIdWeight;
    }
    return r;
}

EditRequest EditRequest::defaults(const ModelInfo& models, const Corpus& corpus)
{
    EditRequest r = defaults(models);
    const CorpusDefaults& d = corpus.defaults;
    if (d.l2Weight)
        r.l2Weight = *d.l2Weight;
    if (!d.layers.empty()) {
        try {
            r.layers = parseLayers(d.layers, models.numLatents,
                                   corpus.file.string() + ":" + std::to_string(d.layersLine) + ": layers");
        } catch (const UsageError& e) {
            throw Error(e.what()); // the corpus file is wrong, not the command line
        }
    }
    if (d.sharedOffset)
        r.sharedOffset = *d.sharedOffset;
    if (d.target)
        r.target = *d.target;
    return r;
}

void EditRequest::validate() const
{
    auto bad = [](const std::string& field, const std::string& why) { throw UsageError(field + ": " + why); };
    if (source.empty())
        bad("source", "no face latent was given");
    if (source.values.size() != size_t(source.numLatents) * size_t(source.styleDim))
        bad("source", "the latent holds " + std::to_string(source.values.size()) + " values, expected " +
                          std::to_string(source.numLatents) + "×" + std::to_string(source.styleDim));
    for (float v : source.values)
        if (!std::isfinite(v))
            bad("source", "the latent contains NaN or Inf");
    if (!start.empty()) {
        if (start.numLatents != source.numLatents || start.styleDim != source.styleDim ||
            start.values.size() != source.values.size())
            bad("start", "the start latent is " + std::to_string(start.numLatents) + "×" +
                             std::to_string(start.styleDim) + ", the source " + std::to_string(source.numLatents) +
                             "×" + std::to_string(source.styleDim));
        for (float v : start.values)
            if (!std::isfinite(v))
                bad("start", "the latent contains NaN or Inf");
    }
    if (prompt.find_first_not_of(" \t\r\n") == std::string::npos)
        bad("prompt", "is empty");
    if (corpus.empty() && target != TargetKind::Text)
        bad("corpus", "is empty (the PAE targets need a corpus)");
    if (lambdas.empty())
        bad("lambda", "no λ value was given");
    if (lambdas.size() > 16)
        bad("lambda", "at most 16 λ values run as one batch");
    for (float l : lambdas)
        if (!std::isfinite(l) || l < 0 || l > 1000)
            bad("lambda", "λ = " + std::to_string(l) + " is outside [0, 1000]");
    if (steps < 1 || steps > 100000)
        bad("steps", std::to_string(steps) + " is outside [1, 100000]");
    if (!(learningRate > 0) || learningRate > 10)
        bad("lr", "the learning rate must be in (0, 10]");
    if (!(l2Weight >= 0) || !std::isfinite(l2Weight))
        bad("l2", "the L2 weight must be ≥ 0");
    if (!(idWeight >= 0) || !std::isfinite(idWeight))
        bad("id", "the identity weight must be ≥ 0");
    if (basis == BasisKind::Pca && (pcaComponents < 1 || pcaComponents > 512))
        bad("pca-k", std::to_string(pcaComponents) + " is outside [1, 512]");
    for (size_t k = 0; k < layers.size(); ++k) {
        if (layers[k] < 0 || (source.numLatents > 0 && layers[k] >= source.numLatents))
            bad("layers", "row " + std::to_string(layers[k]) + " is outside the latent's 0–" +
                              std::to_string(source.numLatents - 1));
        for (size_t j = 0; j < k; ++j)
            if (layers[j] == layers[k])
                bad("layers", "row " + std::to_string(layers[k]) + " is listed twice");
    }
    if (previewEvery < 0)
        bad("preview-every", "must be ≥ 0");
    if (previewSize < 16 || previewSize > 4096)
        bad("preview-size", "must be in [16, 4096]");
}

std::vector<int> parseLayers(const std::string& text, int rows, const std::string& field)
{
    std::string t;
    for (char c : text)
        if (c != ' ' && c != '\t')
            t += c;
    if (t.empty() || t == "all")
        return {};
    auto bad = [&](const std::string& why) { throw UsageError(field + ": '" + text + "': " + why); };
    auto number = [&](const std::string& s) {
        if (s.empty() || s.size() > 4 || s.find_first_not_of("0123456789") != std::string::npos)
            bad("'" + s + "' is not a row number (rows count from 0)");
        const int v = std::stoi(s);
        if (v >= rows)
            bad("row " + s + " is outside the latent's 0–" + std::to_string(rows - 1));
        return v;
    };
    std::vector<int> out;
    size_t from = 0;
    while (from <= t.size()) {
        const size_t comma = std::min(t.find(',', from), t.size());
        const std::string part = t.substr(from, comma - from);
        const size_t dash = part.find('-');
        const int first = number(part.substr(0, dash));
        const int last = dash == std::string::npos ? first
                         : dash + 1 == part.size() ? rows - 1 // "8-": to the last row
                                                   : number(part.substr(dash + 1));
        if (last < first)
            bad("the range " + part + " runs backwards");
        for (int r = first; r <= last; ++r) {
            if (std::find(out.begin(), out.end(), r) != out.end())
                bad("row " + std::to_string(r) + " is listed twice");
            out.push_back(r);
        }
        from = comma + 1;
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string formatLayers(const std::vector<int>& layers)
{
    if (layers.empty())
        return "all";
    std::vector<int> sorted = layers;
    std::sort(sorted.begin(), sorted.end());
    std::string out;
    for (size_t k = 0; k < sorted.size();) {
        size_t j = k;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1)
            ++j;
        out += (out.empty() ? "" : ",") + std::to_string(sorted[k]);
        if (j > k)
            out += "-" + std::to_string(sorted[j]);
        k = j + 1;
    }
    return out;
}

} // namespace pae
