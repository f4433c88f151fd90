#pragma once
// CLIP's image preprocessing (Resize on the shortest side, CenterCrop, Normalize), for the
// generator's images inside the loss and for 8-bit images read from files.
#include "core/util/value_types.h"

#include <torch/types.h>

#include <cstdint>

namespace pae::models {

// Preprocessing as CLIP's, differentiable: images [N,3,H,W] in [0,1] → shortest side to
// `size` (bicubic, antialiased), center crop, CLIP mean/std.
torch::Tensor clipPreprocess(const torch::Tensor& images01, int64_t size);

// The same for an 8-bit image, following CLIP's PIL pipeline (two separable bicubic passes,
// horizontal first, each rounded to 8 bits as PIL does): [1,3,size,size] float32 on the CPU.
torch::Tensor clipPreprocessImage(const ImageRGB& image, int64_t size);

} // namespace pae::models
