#include "core/synthface/attributes_json.h"

#include "core/util/error.h"

namespace pae::synthface {

nlohmann::json toJson(const Attributes& attributes)
{
    nlohmann::json out = nlohmann::json::object();
    for (const AttrInfo& i : attributeTable()) {
        const float v = attributes[i.attr];
        if (i.kind == AttrKind::Binary || i.kind == AttrKind::Categorical)
            out[i.name] = static_cast<int>(v);
        else
            out[i.name] = v;
    }
    return out;
}

Attributes attributesFromJson(const nlohmann::json& object, const std::string& where)
{
    if (!object.is_object())
        throw Error(where + ": attributes must be a JSON object");
    for (const auto& item : object.items()) {
        bool known = false;
        for (const AttrInfo& i : attributeTable())
            known = known || item.key() == i.name;
        if (!known)
            throw Error(where + ": unknown attribute '" + item.key() + "'");
    }
    std::array<float, kAttrCount> values{};
    for (const AttrInfo& i : attributeTable()) {
        const auto it = object.find(i.name);
        if (it == object.end())
            throw Error(where + ": attribute '" + std::string(i.name) + "' is missing");
        if (!it->is_number())
            throw Error(where + ": attribute '" + std::string(i.name) + "' is not a number");
        values[static_cast<int>(i.attr)] = it->get<float>();
    }
    try {
        return Attributes::fromValues(values);
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
}

} // namespace pae::synthface
