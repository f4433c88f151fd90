#pragma once
// Checks on the values of tensors read from files a user hands in: a NaN, Inf or absurdly
// large latent would otherwise render an all-black image and "succeed".
#include <torch/types.h>

#include <string>

namespace pae::io {

// Latent values (z, W, W+) beyond this are no face: a real generator's W spans a few tens.
inline constexpr double kMaxLatentMagnitude = 1e4;

// Throws pae::Error "<file>: tensor '<name>' …" unless the tensor is floating point
// (F32, F16, BF16, F64: an integer or BOOL tensor is no latent), and every value is finite
// and within ±maxMagnitude (0: only finite). Checked in the stored dtype, before a
// conversion that would turn 1e39 into Inf.
void checkTensorValues(const torch::Tensor& tensor, const std::string& file, const std::string& name,
                       double maxMagnitude = 0);

} // namespace pae::io
