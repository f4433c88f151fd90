#include "core/io/weights.h"

#include "core/io/safetensors.h"
#include "core/io/torch_checkpoint.h"
#include "core/util/error.h"

#include <algorithm>
#include <cctype>

namespace pae::io {

TensorMap loadWeights(const std::filesystem::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".safetensors")
        return loadSafetensors(path);
    // Hugging Face names its torch.save output pytorch_model.bin.
    if (ext == ".pt" || ext == ".pth" || ext == ".bin")
        return loadTorchCheckpoint(path);
    throw Error(path.string() + ": unknown weights format " + (ext.empty() ? std::string("(no extension)") : "'" + ext + "'") +
                "; expected .safetensors, or a PyTorch checkpoint (.pt, .pth, .bin)");
}

} // namespace pae::io
