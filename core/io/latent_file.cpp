#include "core/io/latent_file.h"

#include "core/io/safetensors.h"
#include "core/io/tensor_checks.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace pae::io {

namespace {

std::string generatorHashOf(const std::filesystem::path& path)
{
    const SafetensorsFile file(path);
    const auto it = file.metadata().find("generator_hash");
    return it == file.metadata().end() ? std::string() : it->second;
}

} // namespace

LatentFile readLatentFile(const std::filesystem::path& path, int64_t numLatents, int64_t styleDim)
{
    const TensorMap tensors = loadSafetensors(path);
    const std::string file = path.string();
    const std::string n = std::to_string(numLatents), dim = std::to_string(styleDim);
    const std::string shapes =
        "[1," + n + "," + dim + "] or [" + n + "," + dim + "] (W+), [1," + dim + "] or [" + dim + "] (W)";
    if (auto it = tensors.find("w"); it != tensors.end()) {
        checkTensorValues(it->second, file, "w", kMaxLatentMagnitude);
        auto w = it->second.to(torch::kFloat32);
        const int64_t batch = w.dim() == 3 ? w.size(0) : 1;
        if (batch > 1)
            throw Error(file + ": tensor 'w' holds " + std::to_string(batch) + " latents (shape " +
                        c10::str(w.sizes()) + "); one face is edited at a time: give " + shapes);
        if (w.dim() == 3 && w.size(0) == 1)
            w = w[0];
        if (w.dim() == 1)
            w = w.unsqueeze(0);
        if (w.dim() == 2 && w.size(0) == 1 && w.size(1) == styleDim)
            w = w.expand({numLatents, styleDim});
        if (w.dim() != 2 || w.size(0) != numLatents || w.size(1) != styleDim)
            throw Error(file + ": tensor 'w' has shape " + c10::str(it->second.sizes()) + ", expected " + shapes +
                        " for this generator");
        return {false, w.contiguous(), generatorHashOf(path)};
    }
    if (auto it = tensors.find("z"); it != tensors.end()) {
        checkTensorValues(it->second, file, "z", kMaxLatentMagnitude);
        if (it->second.numel() != styleDim)
            throw Error(file + ": tensor 'z' has shape " + c10::str(it->second.sizes()) + ", expected one latent: [1," +
                        dim + "] or [" + dim + "]");
        return {true, it->second.to(torch::kFloat32).reshape({1, styleDim}), generatorHashOf(path)};
    }
    throw Error(file + ": no tensor 'w' (W or W+) or 'z' in this latent file");
}

void writeLatentFile(const std::filesystem::path& path, const torch::Tensor& wPlus, const std::string& generatorHash)
{
    const torch::Tensor w = wPlus.dim() == 2 ? wPlus.unsqueeze(0) : wPlus;
    std::map<std::string, std::string> meta{{"format", "pae-studio latent"}, {"space", "W+"}};
    if (!generatorHash.empty())
        meta.emplace("generator_hash", generatorHash);
    saveSafetensors(path, {{"w", w.to(torch::kFloat32).cpu().contiguous()}}, meta);
}

} // namespace pae::io
