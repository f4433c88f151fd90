#include "core/models/strict_load.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <set>
#include <sstream>

namespace pae::models {
namespace {

std::string shapeString(at::IntArrayRef sizes)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < sizes.size(); ++i)
        out << (i ? "," : "") << sizes[i];
    out << ']';
    return out.str();
}

} // namespace

void loadStrict(torch::nn::Module& module, const io::TensorMap& tensors, const std::string& source,
                const std::string& prefix, const std::function<bool(const std::string&)>& ignore)
{
    std::vector<std::pair<std::string, torch::Tensor>> targets;
    for (const auto& item : module.named_parameters(/*recurse=*/true))
        targets.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers(/*recurse=*/true))
        targets.emplace_back(item.key(), item.value());

    std::vector<std::string> problems;
    std::vector<std::string> missing;
    std::set<std::string> used;
    for (const auto& [name, target] : targets) {
        const std::string key = prefix + name;
        const auto it = tensors.find(key);
        if (it == tensors.end()) {
            missing.push_back(key);
            continue;
        }
        used.insert(key);
        if (it->second.sizes() != target.sizes())
            problems.push_back(key + ": got " + shapeString(it->second.sizes()) + ", expected " +
                               shapeString(target.sizes()));
    }
    std::vector<std::string> unknown;
    for (const auto& [key, value] : tensors) {
        if (key.compare(0, prefix.size(), prefix) != 0 || used.count(key))
            continue;
        if (ignore && ignore(key))
            continue;
        unknown.push_back(key);
    }
    if (!problems.empty() || !missing.empty() || !unknown.empty()) {
        std::ostringstream msg;
        msg << source << ": the weights do not match the model";
        for (const auto& p : problems)
            msg << "\n  shape mismatch " << p;
        if (!missing.empty()) {
            msg << "\n  " << missing.size() << " missing tensor(s):";
            for (size_t i = 0; i < missing.size() && i < 10; ++i)
                msg << ' ' << missing[i];
            if (missing.size() > 10)
                msg << " …";
        }
        if (!unknown.empty()) {
            msg << "\n  " << unknown.size() << " unknown tensor(s):";
            for (size_t i = 0; i < unknown.size() && i < 10; ++i)
                msg << ' ' << unknown[i];
            if (unknown.size() > 10)
                msg << " …";
        }
        throw Error(msg.str());
    }

    torch::NoGradGuard noGrad;
    for (auto& [name, target] : targets) {
        const auto& value = tensors.at(prefix + name);
        target.copy_(value.to(target.device(), target.scalar_type()));
    }
}

} // namespace pae::models
