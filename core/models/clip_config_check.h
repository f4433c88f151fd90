#pragma once
// Internal to the CLIP sources: one set of sanity checks for every way a config is made.
#include "core/models/clip.h"

#include <string>

namespace pae::models {

// Throws pae::Error naming `source` and the field when the config cannot describe a model.
void checkClipConfig(const ClipConfig& config, const std::string& source);

} // namespace pae::models
