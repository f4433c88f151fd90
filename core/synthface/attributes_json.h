#pragma once
// Attributes as JSON: {"smile": 0.42, …, "hair_color": 2}, every attribute by its stable
// name. Kept apart from attributes.h so that header stays free of nlohmann.
#include "core/synthface/attributes.h"

#include <nlohmann/json.hpp>

namespace pae::synthface {

nlohmann::json toJson(const Attributes& attributes);
// Every attribute must be present, a number, and in range; pae::Error naming the field
// (`where` prefixes it, e.g. a file name) otherwise. Unknown fields are errors too.
Attributes attributesFromJson(const nlohmann::json& object, const std::string& where);

} // namespace pae::synthface
