// ClipConfig from a Hugging Face config.json or from the shapes of the weights.
#include "core/models/clip.h"
#include "core/models/clip_config_check.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace pae::models {
namespace {

using nlohmann::json;

std::string typeName(const json& value)
{
    if (value.is_number_float())
        return "a float";
    if (value.is_number())
        return "an integer";
    return std::string("a ") + value.type_name();
}

// Absent or null fields keep their default: old exports write only what differs from it.
class FieldReader {
public:
    FieldReader(const json& object, std::string where) : m_object(object), m_where(std::move(where)) {}

    void integer(const char* key, int64_t& out) const
    {
        const json* value = find(key);
        if (!value)
            return;
        if (!value->is_number_integer())
            throw Error(m_where + key + " must be an integer, got " + typeName(*value));
        out = value->get<int64_t>();
    }
    void number(const char* key, double& out) const
    {
        const json* value = find(key);
        if (!value)
            return;
        if (!value->is_number())
            throw Error(m_where + key + " must be a number, got " + typeName(*value));
        out = value->get<double>();
    }
    void string(const char* key, std::string& out) const
    {
        const json* value = find(key);
        if (!value)
            return;
        if (!value->is_string())
            throw Error(m_where + key + " must be a string, got " + typeName(*value));
        out = value->get<std::string>();
    }

private:
    const json* find(const char* key) const
    {
        const auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return nullptr;
        return &*it;
    }
    const json& m_object;
    std::string m_where;
};

// HF's older CLIPConfig wrote the full defaults under text_config and the real values
// under text_config_dict; the latter wins, as it does in transformers.
json towerObject(const json& root, const std::string& name, const std::string& source)
{
    json merged = json::object();
    for (const std::string& key : {name, name + "_dict"}) {
        const auto it = root.find(key);
        if (it == root.end() || it->is_null())
            continue;
        if (!it->is_object())
            throw Error(source + ": " + key + " must be an object, got " + typeName(*it));
        for (const auto& [k, v] : it->items())
            merged[k] = v;
    }
    return merged;
}

// What both towers of config.json spell alike.
template <typename Tower> void readTowerShape(const FieldReader& fields, Tower& tower)
{
    fields.integer("hidden_size", tower.hiddenSize);
    fields.integer("intermediate_size", tower.intermediateSize);
    fields.integer("num_hidden_layers", tower.numLayers);
    fields.integer("num_attention_heads", tower.numHeads);
    fields.number("layer_norm_eps", tower.layerNormEps);
    fields.string("hidden_act", tower.hiddenAct);
}

const torch::Tensor& need(const io::TensorMap& tensors, const std::string& key, int64_t dims)
{
    const auto it = tensors.find(key);
    if (it == tensors.end())
        throw Error("CLIP weights: missing tensor " + key + " (needed to infer the configuration)");
    if (it->second.dim() != dims)
        throw Error("CLIP weights: " + key + " has " + std::to_string(it->second.dim()) + " dimensions, expected " +
                    std::to_string(dims));
    return it->second;
}

int64_t countLayers(const io::TensorMap& tensors, const std::string& prefix)
{
    std::set<int64_t> seen;
    for (const auto& item : tensors) {
        const std::string& key = item.first;
        if (key.compare(0, prefix.size(), prefix) != 0)
            continue;
        const auto dot = key.find('.', prefix.size());
        try {
            seen.insert(std::stoll(key.substr(prefix.size(), dot - prefix.size())));
        } catch (const std::exception&) {
            throw Error("CLIP weights: unexpected tensor " + key);
        }
    }
    if (seen.empty())
        throw Error("CLIP weights: no tensors under " + prefix);
    const int64_t count = *seen.rbegin() + 1;
    if (static_cast<int64_t>(seen.size()) != count)
        throw Error("CLIP weights: the layers under " + prefix + " are not numbered 0.." + std::to_string(count - 1));
    return count;
}

// CLIP's towers use 64-wide heads; a width that is no multiple of 64 needs its config.json.
int64_t headsFromWidth(int64_t width, const std::string& tower)
{
    if (width <= 0 || width % 64 != 0)
        throw Error("CLIP weights: the " + tower + " width " + std::to_string(width) +
                    " is not a multiple of 64, so the head count cannot be inferred; provide config.json");
    return width / 64;
}

} // namespace

void checkClipConfig(const ClipConfig& config, const std::string& source)
{
    auto positive = [&](const char* name, int64_t value) {
        if (value <= 0)
            throw Error(source + ": " + name + " must be positive, got " + std::to_string(value));
    };
    const auto& t = config.text;
    const auto& v = config.vision;
    positive("text_config.vocab_size", t.vocabSize);
    positive("text_config.hidden_size", t.hiddenSize);
    positive("text_config.intermediate_size", t.intermediateSize);
    positive("text_config.num_hidden_layers", t.numLayers);
    positive("text_config.num_attention_heads", t.numHeads);
    positive("text_config.max_position_embeddings", t.maxPositions);
    positive("vision_config.hidden_size", v.hiddenSize);
    positive("vision_config.intermediate_size", v.intermediateSize);
    positive("vision_config.num_hidden_layers", v.numLayers);
    positive("vision_config.num_attention_heads", v.numHeads);
    positive("vision_config.image_size", v.imageSize);
    positive("vision_config.patch_size", v.patchSize);
    positive("projection_dim", config.projectionDim);
    if (t.hiddenSize % t.numHeads != 0)
        throw Error(source + ": text_config.hidden_size " + std::to_string(t.hiddenSize) +
                    " is not divisible by num_attention_heads " + std::to_string(t.numHeads));
    if (v.hiddenSize % v.numHeads != 0)
        throw Error(source + ": vision_config.hidden_size " + std::to_string(v.hiddenSize) +
                    " is not divisible by num_attention_heads " + std::to_string(v.numHeads));
    if (v.imageSize % v.patchSize != 0)
        throw Error(source + ": vision_config.image_size " + std::to_string(v.imageSize) +
                    " is not a multiple of patch_size " + std::to_string(v.patchSize));
    for (const auto& [name, act] :
         {std::pair{"text_config.hidden_act", t.hiddenAct}, std::pair{"vision_config.hidden_act", v.hiddenAct}}) {
        if (act != "quick_gelu" && act != "gelu")
            throw Error(source + ": " + name + " '" + act + "' is not supported (quick_gelu or gelu)");
    }
    if (!(t.layerNormEps > 0) || !(v.layerNormEps > 0))
        throw Error(source + ": layer_norm_eps must be positive");
}

ClipConfig ClipConfig::fromJsonFile(const std::filesystem::path& path)
{
    const std::string source = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(source + ": cannot open the CLIP config");
    json root;
    try {
        root = json::parse(in);
    } catch (const json::exception& e) {
        throw Error(source + ": not valid JSON (" + e.what() + ")");
    }
    if (!root.is_object())
        throw Error(source + ": expected a JSON object, got " + typeName(root));
    if (const auto it = root.find("model_type"); it != root.end() && !it->is_null()) {
        if (!it->is_string() || it->get<std::string>() != "clip")
            throw Error(source + ": model_type is " + it->dump() + ", expected \"clip\"");
    }

    ClipConfig config;
    FieldReader(root, source + ": ").integer("projection_dim", config.projectionDim);

    const json text = towerObject(root, "text_config", source);
    const FieldReader tr(text, source + ": text_config.");
    tr.integer("vocab_size", config.text.vocabSize);
    readTowerShape(tr, config.text);
    tr.integer("max_position_embeddings", config.text.maxPositions);

    const json vision = towerObject(root, "vision_config", source);
    const FieldReader vr(vision, source + ": vision_config.");
    readTowerShape(vr, config.vision);
    vr.integer("image_size", config.vision.imageSize);
    vr.integer("patch_size", config.vision.patchSize);
    int64_t channels = 3;
    vr.integer("num_channels", channels);
    if (channels != 3)
        throw Error(source + ": vision_config.num_channels is " + std::to_string(channels) +
                    ", only RGB (3) is supported");

    checkClipConfig(config, source);
    return config;
}

ClipConfig ClipConfig::fromTensors(const io::TensorMap& tensors)
{
    ClipConfig config;
    auto& t = config.text;
    const auto& tokens = need(tensors, "text_model.embeddings.token_embedding.weight", 2);
    t.vocabSize = tokens.size(0);
    t.hiddenSize = tokens.size(1);
    t.maxPositions = need(tensors, "text_model.embeddings.position_embedding.weight", 2).size(0);
    t.intermediateSize = need(tensors, "text_model.encoder.layers.0.mlp.fc1.weight", 2).size(0);
    t.numLayers = countLayers(tensors, "text_model.encoder.layers.");
    t.numHeads = headsFromWidth(t.hiddenSize, "text");

    auto& v = config.vision;
    v.hiddenSize = need(tensors, "vision_model.embeddings.class_embedding", 1).size(0);
    v.patchSize = need(tensors, "vision_model.embeddings.patch_embedding.weight", 4).size(3);
    const int64_t positions = need(tensors, "vision_model.embeddings.position_embedding.weight", 2).size(0);
    const auto grid = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(positions - 1))));
    if (positions < 2 || grid * grid != positions - 1)
        throw Error("CLIP weights: vision_model.embeddings.position_embedding.weight has " + std::to_string(positions) +
                    " positions, which is not a square grid plus the class token");
    v.imageSize = grid * v.patchSize;
    v.intermediateSize = need(tensors, "vision_model.encoder.layers.0.mlp.fc1.weight", 2).size(0);
    v.numLayers = countLayers(tensors, "vision_model.encoder.layers.");
    v.numHeads = headsFromWidth(v.hiddenSize, "vision");

    config.projectionDim = need(tensors, "visual_projection.weight", 2).size(0);
    checkClipConfig(config, "CLIP weights");
    return config;
}

std::string ClipConfig::describe() const
{
    std::ostringstream out;
    out << "CLIP text: vocab " << text.vocabSize << ", width " << text.hiddenSize << ", mlp " << text.intermediateSize
        << ", layers " << text.numLayers << ", heads " << text.numHeads << ", context " << text.maxPositions << ", "
        << text.hiddenAct << "; vision: " << vision.imageSize << "px, patch " << vision.patchSize << ", width "
        << vision.hiddenSize << ", mlp " << vision.intermediateSize << ", layers " << vision.numLayers << ", heads "
        << vision.numHeads << ", " << vision.hiddenAct << "; projection " << projectionDim;
    return out.str();
}

} // namespace pae::models
