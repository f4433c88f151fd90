#pragma once
// A request's optimization settings as JSON, written once for every file that carries them:
// what a preset stores (its "settings") and what pae-cli's metrics print. Keys are
// snake_case: basis, pca_k, steps, lr, l2_weight, id_weight, resolution, seed. (The studio's
// session file keeps its own camelCase names, and a batch manifest the names of its fields:
// both are formats files already exist in.)
#include "core/edit/edit_request.h"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace pae {

nlohmann::json settingsJson(const EditRequest& request);
// Reads the keys present into `request`; a key of the wrong type or value is a UsageError
// naming `where` and the key.
void readSettingsJson(const nlohmann::json& settings, EditRequest& request, const std::string& where);

} // namespace pae
