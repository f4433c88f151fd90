#include "core/synthface/neutral.h"

#include "core/io/image.h"
#include "core/synthface/regressor.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace pae::synthface {

NeutralFace pickNeutralSeed(const ModelSet& models, int count)
{
    if (count < 1)
        throw UsageError("count: must be at least 1");
    AttributeRegressor regressor = loadBuiltinRegressor();
    torch::NoGradGuard noGrad;
    const auto& binaries = binaryAttributes();
    long baldColumn = -1;
    for (size_t b = 0; b < binaries.size(); ++b)
        if (binaries[b] == Attr::Bald)
            baldColumn = long(b);
    NeutralFace best;
    best.score = std::numeric_limits<float>::infinity();
    best.candidates = count;
    constexpr int kBatch = 32;
    for (int first = 0; first < count; first += kBatch) {
        std::vector<torch::Tensor> images;
        const int n = std::min(kBatch, count - first);
        for (int k = 0; k < n; ++k)
            images.push_back(io::imageToTensor(models.render(models.latentFromSeed(uint64_t(first + k)))));
        const RegressorReading r = regressor->read(torch::cat(images, 0));
        const auto values = r.values.cpu();
        const auto binary = r.binaryProb.cpu();
        for (int k = 0; k < n; ++k) {
            if (baldColumn >= 0 && binary[k][baldColumn].item<float>() > 0.5f)
                continue;
            const float smile = values[k][int(Attr::Smile)].item<float>();
            const float brow = values[k][int(Attr::BrowAngle)].item<float>();
            const float mouth = values[k][int(Attr::MouthOpen)].item<float>();
            const float eyes = values[k][int(Attr::EyeOpen)].item<float>();
            const float score = std::abs(smile) + std::abs(brow) + std::max(0.f, mouth) + std::abs(eyes - 0.6f);
            if (score < best.score) {
                best.seed = uint64_t(first + k);
                best.score = score;
                best.smile = smile;
                best.browAngle = brow;
                best.mouthOpen = mouth;
                best.eyeOpen = eyes;
            }
        }
    }
    if (!std::isfinite(best.score))
        throw Error("no face among seeds 0–" + std::to_string(count - 1) + " has hair; read more seeds");
    return best;
}

std::string neutralFaceJson(const NeutralFace& face)
{
    nlohmann::json j;
    j["first_seed"] = face.seed;
    j["picked_by"] = "pae-cli synthface neutral-seed: the most neutral expression the attribute regressor reads "
                     "among seeds 0-" + std::to_string(face.candidates - 1) +
                     " (|smile| + |brow angle| + mouth opening + |eye opening - 0.6|, bald faces skipped)";
    j["reading"] = {{"smile", face.smile}, {"brow_angle", face.browAngle}, {"mouth_open", face.mouthOpen},
                    {"eye_open", face.eyeOpen}, {"score", face.score}};
    return j.dump(2) + "\n";
}

} // namespace pae::synthface
