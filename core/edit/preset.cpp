#include "core/edit/preset.h"

#include "core/edit/request_json.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstring>

namespace pae {

namespace fs = std::filesystem;

namespace {

const char* const kFormat = "pae-studio preset";
const char* const kVersion = "1";

std::string shapeOf(const Latent& l) { return std::to_string(l.numLatents) + "×" + std::to_string(l.styleDim); }

void requireSameShape(const Latent& a, const Latent& b, const std::string& what)
{
    if (a.numLatents != b.numLatents || a.styleDim != b.styleDim || a.values.size() != b.values.size())
        throw Error(what + ": latents of " + shapeOf(a) + " and " + shapeOf(b) + " do not match");
}

torch::Tensor toTensor(const Latent& l)
{
    return torch::from_blob(const_cast<float*>(l.values.data()), {l.numLatents, l.styleDim}, torch::kFloat32).clone();
}

Latent fromTensor(const torch::Tensor& t, const fs::path& path, const std::string& name)
{
    if (t.scalar_type() != torch::kFloat32)
        throw Error(path.string() + ": tensor '" + name + "' is " + std::string(c10::toString(t.scalar_type())) +
                    ", expected float32");
    if (t.dim() != 2 || t.size(0) <= 0 || t.size(1) <= 0)
        throw Error(path.string() + ": tensor '" + name + "' has shape " + c10::str(t.sizes()) +
                    ", expected [rows, width]");
    const torch::Tensor c = t.contiguous();
    if (!torch::isfinite(c).all().item<bool>())
        throw Error(path.string() + ": tensor '" + name + "' holds NaN or Inf");
    Latent l;
    l.numLatents = int(c.size(0));
    l.styleDim = int(c.size(1));
    l.values.resize(size_t(c.numel()));
    std::memcpy(l.values.data(), c.data_ptr<float>(), l.values.size() * sizeof(float));
    return l;
}

} // namespace

EditRequest refineRequest(const EditPreset& preset, const Latent& face, float strength, int steps,
                          const EditRequest& base)
{
    EditRequest r = base;
    r.source = face;
    r.start = applyPresets(face, {&preset}, {strength});
    r.prompt = preset.prompt;
    r.corpus = preset.corpus;
    r.target = parseTargetKind(preset.target);
    r.lambdas = {preset.lambda};
    if (!preset.settings.empty()) {
        const auto settings = nlohmann::json::parse(preset.settings, nullptr, false);
        readSettingsJson(settings, r, "preset '" + preset.name + "'");
    }
    r.steps = steps; // the refinement's, not those the preset was made with
    r.validate();
    return r;
}

Latent editDelta(const Latent& source, const Latent& result)
{
    requireSameShape(source, result, "edit delta");
    Latent d = source;
    for (size_t i = 0; i < d.values.size(); ++i)
        d.values[i] = result.values[i] - source.values[i];
    return d;
}

Latent scaleEdit(const Latent& source, const Latent& result, float alpha)
{
    requireSameShape(source, result, "edit strength");
    Latent out = source;
    for (size_t i = 0; i < out.values.size(); ++i)
        out.values[i] = source.values[i] + alpha * (result.values[i] - source.values[i]);
    return out;
}

Latent applyPresets(const Latent& face, const std::vector<const EditPreset*>& presets,
                    const std::vector<float>& strengths)
{
    if (presets.size() != strengths.size())
        throw UsageError("presets: " + std::to_string(presets.size()) + " presets but " +
                         std::to_string(strengths.size()) + " strengths");
    Latent out = face;
    for (size_t p = 0; p < presets.size(); ++p) {
        const EditPreset& preset = *presets[p];
        if (!std::isfinite(strengths[p]))
            throw UsageError("strength of preset '" + preset.name + "' is not a finite number");
        if (preset.delta.numLatents != face.numLatents || preset.delta.styleDim != face.styleDim)
            throw Error("preset '" + preset.name + "' was made for a generator of " + shapeOf(preset.delta) +
                        " latents (" + (preset.generator.empty() ? std::string("unknown") : preset.generator) +
                        "); this face is " + shapeOf(face));
        for (size_t i = 0; i < out.values.size(); ++i)
            out.values[i] += strengths[p] * preset.delta.values[i];
    }
    return out;
}

std::string presetGeneratorMismatch(const EditPreset& preset, const std::string& generatorHash)
{
    if (preset.generatorHash.empty() || generatorHash.empty() || preset.generatorHash == generatorHash)
        return {};
    return "made with another generator (" + (preset.generator.empty() ? std::string("unnamed") : preset.generator) +
           ", weights " + preset.generatorHash + ") than the one loaded (weights " + generatorHash +
           "): its edit may do something else on this generator's faces";
}

void savePreset(const EditPreset& preset, const fs::path& path)
{
    requireSameShape(preset.source, preset.delta, path.string());
    std::map<std::string, std::string> meta{{"format", kFormat},
                                            {"version", kVersion},
                                            {"name", preset.name},
                                            {"prompt", preset.prompt},
                                            {"corpus", preset.corpus},
                                            {"target", preset.target},
                                            {"lambda", nlohmann::json(preset.lambda).dump()},
                                            {"generator", preset.generator},
                                            {"generator_hash", preset.generatorHash},
                                            {"settings", preset.settings.empty() ? "{}" : preset.settings}};
    io::saveSafetensors(path, {{"delta", toTensor(preset.delta)}, {"source", toTensor(preset.source)}}, meta);
}

EditPreset loadPreset(const fs::path& path)
{
    io::SafetensorsFile file(path);
    const auto& meta = file.metadata();
    const auto field = [&](const std::string& key) -> std::string {
        const auto it = meta.find(key);
        if (it == meta.end())
            throw Error(path.string() + ": metadata field '" + key + "' is missing; not a PAE Studio preset?");
        return it->second;
    };
    if (field("format") != kFormat)
        throw Error(path.string() + ": metadata 'format' is '" + field("format") + "', expected '" + kFormat + "'");
    if (field("version") != kVersion)
        throw Error(path.string() + ": preset version " + field("version") + " is not supported (this build reads " +
                    kVersion + ")");
    EditPreset p;
    p.name = field("name");
    p.prompt = field("prompt");
    p.corpus = field("corpus");
    p.target = field("target");
    p.generator = field("generator");
    // Presets saved before the generator's weights were recorded do not have it.
    if (const auto it = meta.find("generator_hash"); it != meta.end())
        p.generatorHash = it->second;
    p.settings = field("settings");
    try {
        p.lambda = nlohmann::json::parse(field("lambda")).get<float>();
        if (!nlohmann::json::parse(p.settings).is_object())
            throw std::runtime_error("not an object");
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path.string() + ": metadata 'lambda' or 'settings' is not valid: " + e.what());
    }
    for (const char* name : {"delta", "source"})
        if (!file.contains(name))
            throw Error(path.string() + ": tensor '" + name + "' is missing");
    p.delta = fromTensor(file.load("delta"), path, "delta");
    p.source = fromTensor(file.load("source"), path, "source");
    if (p.delta.numLatents != p.source.numLatents || p.delta.styleDim != p.source.styleDim)
        throw Error(path.string() + ": tensors 'delta' (" + shapeOf(p.delta) + ") and 'source' (" + shapeOf(p.source) +
                    ") differ in shape");
    return p;
}

std::string presetInfoJson(const EditPreset& p)
{
    nlohmann::json j{{"name", p.name},
                     {"prompt", p.prompt},
                     {"corpus", p.corpus},
                     {"target", p.target},
                     {"lambda", p.lambda},
                     {"generator", p.generator},
                     {"generator_hash", p.generatorHash},
                     {"rows", p.delta.numLatents},
                     {"width", p.delta.styleDim},
                     {"settings", nlohmann::json::parse(p.settings.empty() ? "{}" : p.settings)}};
    double norm = 0;
    for (float v : p.delta.values)
        norm += double(v) * double(v);
    j["delta_norm"] = std::sqrt(norm);
    return j.dump(2);
}

} // namespace pae
