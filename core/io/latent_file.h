#pragma once
// Latent files: safetensors holding one face's latent, as the studio, pae-cli and the batch
// tool read and write them.
//   written: tensor "w" [1, n, d] (W+), metadata format "pae-studio latent", space "W+" and
//            generator_hash (the weights of the generator that draws it, when known);
//   read:    "w" as W+ ([1, n, d] or [n, d]) or W ([1, d] or [d], repeated over the n rows),
//            or else "z" ([1, d] or [d]) for the mapping network to turn into W+.
// Values must be finite and within io::kMaxLatentMagnitude; every error names the file.
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace pae::io {

struct LatentFile {
    bool isZ = false;          // a "z" to map; else W+
    torch::Tensor values;      // float32 on the CPU: W+ [n, d], or z [1, d]
    std::string generatorHash; // metadata generator_hash; empty when the file does not say
};

// `numLatents` × `styleDim` is what the loaded generator takes (n × d above).
LatentFile readLatentFile(const std::filesystem::path& path, int64_t numLatents, int64_t styleDim);
// `wPlus` [1, n, d] or [n, d]; atomic, as io::saveSafetensors.
void writeLatentFile(const std::filesystem::path& path, const torch::Tensor& wPlus,
                     const std::string& generatorHash = {});

} // namespace pae::io
