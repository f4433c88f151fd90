#pragma once
// A named set of tensors: what a weights file holds, after nested dicts are flattened
// with '.' (a StyleGAN2 checkpoint's {"g_ema": {"style.1.weight": …}} becomes
// "g_ema.style.1.weight").
#include <torch/types.h>

#include <map>
#include <string>

namespace pae::io {

using TensorMap = std::map<std::string, torch::Tensor>;

} // namespace pae::io
