#include "core/io/tensor_checks.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <cstdio>

namespace pae::io {
namespace {

// safetensors' names, which the user's tools (and our --help) speak.
std::string dtypeName(torch::ScalarType t)
{
    switch (t) {
    case torch::kBool: return "BOOL";
    case torch::kUInt8: return "U8";
    case torch::kInt8: return "I8";
    case torch::kInt16: return "I16";
    case torch::kInt32: return "I32";
    case torch::kInt64: return "I64";
    default: return c10::toString(t);
    }
}

} // namespace

void checkTensorValues(const torch::Tensor& tensor, const std::string& file, const std::string& name,
                       double maxMagnitude)
{
    const std::string what = file + ": tensor '" + name + "'";
    if (!tensor.defined())
        throw Error(what + " is missing");
    if (!tensor.is_floating_point())
        throw Error(what + " holds " + dtypeName(tensor.scalar_type()) +
                    " values; expected floating point (F32, F16, BF16 or F64)");
    if (tensor.numel() == 0)
        throw Error(what + " is empty (shape " + c10::str(tensor.sizes()) + ")");
    const torch::Tensor values = tensor.detach().to(torch::kCPU, torch::kFloat64);
    const torch::Tensor finite = torch::isfinite(values);
    if (!finite.all().item<bool>()) {
        const int64_t bad = values.numel() - finite.sum().item<int64_t>();
        throw Error(what + " holds " + std::to_string(bad) + " NaN or infinite value" + (bad == 1 ? "" : "s") +
                    " of " + std::to_string(values.numel()));
    }
    if (maxMagnitude > 0) {
        const double largest = values.abs().max().item<double>();
        if (largest > maxMagnitude) {
            char text[160];
            std::snprintf(text, sizeof text, " holds a value of magnitude %g; values beyond ±%g are no latent",
                          largest, maxMagnitude);
            throw Error(what + text);
        }
    }
}

} // namespace pae::io
