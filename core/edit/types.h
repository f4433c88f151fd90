#pragma once
// The engine's value types, as the studio and the CLI see them. No torch here: ui/ includes
// these. The image, the latent and the target kinds live in the layers below (util, pae).
#include "core/pae/kinds.h"
#include "core/util/value_types.h"

#include <string>

namespace pae {

// Where the loss looks at the generator: the 256² skip output ("clip") or the full image.
enum class ResolutionMode { Clip, Full };

// "clip", "full"
ResolutionMode parseResolutionMode(const std::string& text);
std::string toString(ResolutionMode mode);

} // namespace pae
