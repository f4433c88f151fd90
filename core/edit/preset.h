#pragma once
// An edit made reusable. The optimization finds w* for one face; what it learned is
// Δw = w* − w0 in W+. Applying Δw at strength α to any face of the same generator,
// w0' + α·Δw, is one generator forward instead of a new optimization: the live strength
// slider (α on the edit's own face) and presets (Δw of one face on another) are both that.
//
// A .preset file is safetensors: tensors "delta" (Δw) and "source" (w0, for reference),
// [rows, width] float32, and the edit's settings in __metadata__ (format, version, name,
// prompt, corpus, target, lambda, generator, generator_hash, settings as JSON). Torch-free
// header: ui/ reads and applies presets too.
#include "core/edit/edit_request.h"
#include "core/edit/types.h"

#include <filesystem>
#include <string>
#include <vector>

namespace pae {

struct EditPreset {
    std::string name;      // what lists show; the prompt and λ unless given
    std::string prompt;
    std::string corpus;
    std::string target;    // text | pae | pae+
    float lambda = 0;
    std::string settings;  // the edit's other settings, a JSON object as text
    std::string generator; // the generator it was made with (description)
    // Its weights (ModelInfo::generatorHash); empty in presets saved before it was recorded.
    std::string generatorHash;
    Latent delta;          // Δw = w* − w0
    Latent source;         // w0
};

// Δw of an edit: result − source (same shape, else Error).
Latent editDelta(const Latent& source, const Latent& result);
// face + Σ strengths[i]·presets[i].delta. Error naming the preset when its Δw does not fit
// the face ("made for a generator of 18×512 latents; this face is 10×16").
Latent applyPresets(const Latent& face, const std::vector<const EditPreset*>& presets,
                    const std::vector<float>& strengths);
// source + α·(result − source): the edit at strength α (α = 1: the result itself).
Latent scaleEdit(const Latent& source, const Latent& result, float alpha);

// Why `preset` may not do on the loaded generator (weights `generatorHash`) what it did where it
// was made: a Δw is a direction of the generator it was learned on, and a retrained generator
// of the same shape takes it without complaint but draws something else. Empty when the
// weights are the same, or when the preset does not record them.
std::string presetGeneratorMismatch(const EditPreset& preset, const std::string& generatorHash);

// How many steps "refine on this face" runs by default: a short optimization from the
// preset's result, for faces where the preset alone falls short (synthface eval --presets).
constexpr int kDefaultRefineSteps = 50;

// The edit that refines `preset` on `face`: it starts at face + strength·Δw and optimizes
// the preset's own prompt, corpus, target, λ and settings for `steps` steps, with the PAE
// target and the L2 pull taken from `face` itself. `base` gives what the preset does not
// hold (the models' defaults). UsageError when the preset's settings cannot be read.
EditRequest refineRequest(const EditPreset& preset, const Latent& face, float strength, int steps,
                          const EditRequest& base);

// Atomic write; Error naming the file on failure.
void savePreset(const EditPreset& preset, const std::filesystem::path& path);
// Strict: the format field, both tensors, their shapes and finite values; Error naming the
// file and the field otherwise.
EditPreset loadPreset(const std::filesystem::path& path);
// The metadata as one JSON object (what `pae-cli preset info` prints).
std::string presetInfoJson(const EditPreset& preset);

} // namespace pae
