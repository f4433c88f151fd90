#include "core/edit/request_json.h"

#include "core/util/error.h"

#include <nlohmann/json.hpp>

namespace pae {

nlohmann::json settingsJson(const EditRequest& request)
{
    return {{"basis", toString(request.basis)},
            {"pca_k", request.pcaComponents},
            {"steps", request.steps},
            {"lr", request.learningRate},
            {"l2_weight", request.l2Weight},
            {"id_weight", request.idWeight},
            {"resolution", toString(request.resolution)},
            {"layers", request.layers},
            {"space", request.sharedOffset ? "w" : "w+"},
            {"seed", request.seed}};
}

void readSettingsJson(const nlohmann::json& settings, EditRequest& r, const std::string& where)
{
    if (!settings.is_object())
        throw UsageError(where + ": its settings are not a JSON object");
    const char* key = "";
    try {
        auto has = [&](const char* name) {
            key = name;
            return settings.contains(name);
        };
        if (has("lr"))
            r.learningRate = settings.at(key).get<float>();
        if (has("l2_weight"))
            r.l2Weight = settings.at(key).get<float>();
        if (has("id_weight"))
            r.idWeight = settings.at(key).get<float>();
        if (has("basis"))
            r.basis = parseBasisKind(settings.at(key).get<std::string>());
        if (has("pca_k"))
            r.pcaComponents = settings.at(key).get<int>();
        if (has("steps"))
            r.steps = settings.at(key).get<int>();
        if (has("resolution"))
            r.resolution = parseResolutionMode(settings.at(key).get<std::string>());
        if (has("layers"))
            r.layers = settings.at(key).get<std::vector<int>>();
        if (has("space")) {
            const auto space = settings.at(key).get<std::string>();
            if (space != "w+" && space != "w")
                throw UsageError("space: '" + space + "' is not w+ or w");
            r.sharedOffset = space == "w";
        }
        if (has("seed"))
            r.seed = settings.at(key).get<uint64_t>();
    } catch (const nlohmann::json::exception&) {
        throw UsageError(where + ": the setting '" + key + "' has the wrong type");
    } catch (const UsageError& e) {
        throw UsageError(where + ": " + e.what());
    }
}

} // namespace pae
