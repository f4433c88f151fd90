#pragma once
// In-between latents for animations: straight lines in W+ through a list of stops, e.g.
// the source face (λ 0) and the results of a sweep in order of λ.
#include "core/edit/types.h"

#include <vector>

namespace pae {

// The first stop, then `stepsPerSegment` latents along each segment, each segment ending
// exactly on its stop. Throws pae::Error when there are fewer than two stops, a stop's
// shape differs from the first one's, or stepsPerSegment < 1.
std::vector<Latent> latentPath(const std::vector<Latent>& stops, int stepsPerSegment);

} // namespace pae
