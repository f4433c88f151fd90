#pragma once
// The built-in world's first face: the most neutral one the attribute regressor finds, so
// that the showcase edits ("a happy face", "an angry face", "a surprised face") each have
// room to move from it. Recorded in the models folder's studio.json ("first_seed").
#include "core/edit/model_set.h"

#include <cstdint>
#include <string>

namespace pae::synthface {

struct NeutralFace {
    uint64_t seed = 0;
    float score = 0;     // smaller is more neutral (see pickNeutralSeed)
    float smile = 0;     // the regressor's reading of the chosen face
    float browAngle = 0;
    float mouthOpen = 0;
    float eyeOpen = 0;
    int candidates = 0;  // seeds 0 … candidates−1 were read
};

// Reads the faces of seeds [0, count) with the regressor of the built-in models folder and
// returns the one whose expression is nearest neutral: |smile| + |brow angle| (both −1…1,
// 0 neutral) + mouth opening (0 closed) + |eye opening − 0.6| (relaxed, not wide or shut),
// skipping bald faces (hair edits need hair to show). UsageError for count < 1.
NeutralFace pickNeutralSeed(const ModelSet& models, int count);

// {"first_seed": N, "picked_by": "...", "reading": {...}}: what studio.json holds.
std::string neutralFaceJson(const NeutralFace& face);

} // namespace pae::synthface
