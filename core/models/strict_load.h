#pragma once
#include "core/io/tensor_map.h"

#include <torch/nn/module.h>

#include <functional>
#include <string>

namespace pae::models {

// Copies every parameter and buffer of `module` from `tensors[prefix + name]`.
// Unknown keys (under prefix, unless `ignore` accepts them), missing keys and shape
// mismatches are collected and thrown as one pae::Error that names the source, each key,
// "got [..], expected [..]" and the count of missing tensors. Nothing is copied unless
// everything matches.
void loadStrict(torch::nn::Module& module, const io::TensorMap& tensors, const std::string& source,
                const std::string& prefix = "",
                const std::function<bool(const std::string&)>& ignore = {});

} // namespace pae::models
