#pragma once
#include "core/io/tensor_map.h"

#include <filesystem>

namespace pae::io {

// Loads .safetensors, or .pt/.pth through the restricted checkpoint reader; anything
// else is an error naming the file.
TensorMap loadWeights(const std::filesystem::path& path);

} // namespace pae::io
