// The CLIP towers. Every module is registered under its Hugging Face name so that a
// model.safetensors maps onto named_parameters() one to one.
#include "core/models/clip.h"
#include "core/models/clip_config_check.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace pae::models {
namespace {

namespace F = torch::nn::functional;

std::string shapeString(at::IntArrayRef sizes)
{
    std::string out = "[";
    for (size_t i = 0; i < sizes.size(); ++i)
        out += (i ? "," : "") + std::to_string(sizes[i]);
    return out + "]";
}

torch::Tensor activation(const torch::Tensor& x, bool quick)
{
    if (quick)
        return x * torch::sigmoid(1.702 * x);
    return F::gelu(x);
}

struct ClipAttentionImpl : torch::nn::Module {
    ClipAttentionImpl(int64_t width, int64_t heads) : heads(heads), scale(1.0 / std::sqrt(double(width / heads)))
    {
        q_proj = register_module("q_proj", torch::nn::Linear(width, width));
        k_proj = register_module("k_proj", torch::nn::Linear(width, width));
        v_proj = register_module("v_proj", torch::nn::Linear(width, width));
        out_proj = register_module("out_proj", torch::nn::Linear(width, width));
    }

    // x [N,L,D]; mask [L,L] additive or undefined.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask)
    {
        const int64_t n = x.size(0), len = x.size(1), width = x.size(2);
        const int64_t headDim = width / heads;
        auto split = [&](const torch::Tensor& t) { return t.view({n, len, heads, headDim}).transpose(1, 2); };
        const auto q = split(q_proj(x) * scale);
        const auto k = split(k_proj(x));
        const auto v = split(v_proj(x));
        auto scores = torch::matmul(q, k.transpose(-2, -1)); // [N,H,L,L]
        if (mask.defined())
            scores = scores + mask;
        const auto out = torch::matmul(torch::softmax(scores, -1), v); // [N,H,L,d]
        return out_proj(out.transpose(1, 2).reshape({n, len, width}));
    }

    int64_t heads;
    double scale;
    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(ClipAttention);

struct ClipMlpImpl : torch::nn::Module {
    ClipMlpImpl(int64_t width, int64_t inner, bool quickGelu) : quickGelu(quickGelu)
    {
        fc1 = register_module("fc1", torch::nn::Linear(width, inner));
        fc2 = register_module("fc2", torch::nn::Linear(inner, width));
    }
    torch::Tensor forward(const torch::Tensor& x) { return fc2(activation(fc1(x), quickGelu)); }

    bool quickGelu;
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(ClipMlp);

torch::nn::LayerNorm makeLayerNorm(int64_t width, double eps)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}).eps(eps));
}

struct ClipEncoderLayerImpl : torch::nn::Module {
    ClipEncoderLayerImpl(int64_t width, int64_t inner, int64_t heads, double eps, bool quickGelu)
    {
        self_attn = register_module("self_attn", ClipAttention(width, heads));
        layer_norm1 = register_module("layer_norm1", makeLayerNorm(width, eps));
        mlp = register_module("mlp", ClipMlp(width, inner, quickGelu));
        layer_norm2 = register_module("layer_norm2", makeLayerNorm(width, eps));
    }
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask)
    {
        x = x + self_attn(layer_norm1(x), mask);
        return x + mlp(layer_norm2(x));
    }

    ClipAttention self_attn{nullptr};
    torch::nn::LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
    ClipMlp mlp{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

struct ClipEncoderImpl : torch::nn::Module {
    ClipEncoderImpl(int64_t layerCount, int64_t width, int64_t inner, int64_t heads, double eps, bool quickGelu)
    {
        layers = register_module("layers", torch::nn::ModuleList());
        for (int64_t i = 0; i < layerCount; ++i)
            layers->push_back(ClipEncoderLayer(width, inner, heads, eps, quickGelu));
    }
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask)
    {
        for (const auto& layer : *layers)
            x = layer->as<ClipEncoderLayerImpl>()->forward(x, mask);
        return x;
    }

    torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(ClipEncoder);

struct ClipTextEmbeddingsImpl : torch::nn::Module {
    explicit ClipTextEmbeddingsImpl(const ClipTextConfig& c)
    {
        token_embedding = register_module("token_embedding", torch::nn::Embedding(c.vocabSize, c.hiddenSize));
        position_embedding = register_module("position_embedding", torch::nn::Embedding(c.maxPositions, c.hiddenSize));
    }
    torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
};
TORCH_MODULE(ClipTextEmbeddings);

struct ClipTextTransformerImpl : torch::nn::Module {
    explicit ClipTextTransformerImpl(const ClipTextConfig& c)
    {
        embeddings = register_module("embeddings", ClipTextEmbeddings(c));
        encoder = register_module("encoder", ClipEncoder(c.numLayers, c.hiddenSize, c.intermediateSize, c.numHeads,
                                                         c.layerNormEps, c.hiddenAct == "quick_gelu"));
        final_layer_norm = register_module("final_layer_norm", makeLayerNorm(c.hiddenSize, c.layerNormEps));
    }

    // Pooled hidden state [N,D] at the highest id of each row (the end-of-text token).
    torch::Tensor forward(const torch::Tensor& ids)
    {
        const int64_t len = ids.size(1);
        auto x = embeddings->token_embedding(ids) + embeddings->position_embedding->weight.slice(0, 0, len);
        const auto mask =
            torch::full({len, len}, -std::numeric_limits<float>::infinity(), x.options()).triu(1);
        x = encoder(x, mask);
        const auto rows = torch::arange(ids.size(0), ids.options());
        // Layer norm is per token, so normalizing only the pooled rows gives the same result.
        return final_layer_norm(x.index({rows, ids.argmax(-1)}));
    }

    ClipTextEmbeddings embeddings{nullptr};
    ClipEncoder encoder{nullptr};
    torch::nn::LayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(ClipTextTransformer);

struct ClipVisionEmbeddingsImpl : torch::nn::Module {
    explicit ClipVisionEmbeddingsImpl(const ClipVisionConfig& c)
    {
        const int64_t grid = c.imageSize / c.patchSize;
        class_embedding = register_parameter("class_embedding", torch::zeros({c.hiddenSize}));
        patch_embedding = register_module(
            "patch_embedding",
            torch::nn::Conv2d(torch::nn::Conv2dOptions(3, c.hiddenSize, c.patchSize).stride(c.patchSize).bias(false)));
        position_embedding =
            register_module("position_embedding", torch::nn::Embedding(grid * grid + 1, c.hiddenSize));
    }
    torch::Tensor class_embedding;
    torch::nn::Conv2d patch_embedding{nullptr};
    torch::nn::Embedding position_embedding{nullptr};
};
TORCH_MODULE(ClipVisionEmbeddings);

struct ClipVisionTransformerImpl : torch::nn::Module {
    explicit ClipVisionTransformerImpl(const ClipVisionConfig& c)
    {
        embeddings = register_module("embeddings", ClipVisionEmbeddings(c));
        // HF spells it "pre_layrnorm"; the key in every checkpoint depends on that typo.
        pre_layrnorm = register_module("pre_layrnorm", makeLayerNorm(c.hiddenSize, c.layerNormEps));
        encoder = register_module("encoder", ClipEncoder(c.numLayers, c.hiddenSize, c.intermediateSize, c.numHeads,
                                                         c.layerNormEps, c.hiddenAct == "quick_gelu"));
        post_layernorm = register_module("post_layernorm", makeLayerNorm(c.hiddenSize, c.layerNormEps));
    }

    // Pooled [N,D]: the class token after the post layer norm.
    torch::Tensor forward(const torch::Tensor& pixels)
    {
        const int64_t n = pixels.size(0);
        const auto patches = embeddings->patch_embedding(pixels).flatten(2).transpose(1, 2); // [N,G²,D]
        const auto cls = embeddings->class_embedding.view({1, 1, -1}).expand({n, 1, patches.size(2)});
        auto x = torch::cat({cls, patches}, 1) + embeddings->position_embedding->weight;
        x = encoder(pre_layrnorm(x), torch::Tensor());
        return post_layernorm(x.select(1, 0));
    }

    ClipVisionEmbeddings embeddings{nullptr};
    torch::nn::LayerNorm pre_layrnorm{nullptr}, post_layernorm{nullptr};
    ClipEncoder encoder{nullptr};
};
TORCH_MODULE(ClipVisionTransformer);

} // namespace

struct ClipModelImpl::Modules {
    ClipTextTransformer text{nullptr};
    ClipVisionTransformer vision{nullptr};
    torch::nn::Linear textProjection{nullptr};
    torch::nn::Linear visualProjection{nullptr};
};

ClipModelImpl::ClipModelImpl(const ClipConfig& config) : m_config(config), m(std::make_shared<Modules>())
{
    checkClipConfig(config, "CLIP config");
    m->text = register_module("text_model", ClipTextTransformer(config.text));
    m->vision = register_module("vision_model", ClipVisionTransformer(config.vision));
    m->visualProjection = register_module(
        "visual_projection",
        torch::nn::Linear(torch::nn::LinearOptions(config.vision.hiddenSize, config.projectionDim).bias(false)));
    m->textProjection = register_module(
        "text_projection",
        torch::nn::Linear(torch::nn::LinearOptions(config.text.hiddenSize, config.projectionDim).bias(false)));
    // Unused by the encoders, but part of every checkpoint; strict loading expects it.
    register_parameter("logit_scale", torch::full({}, std::log(1.0 / 0.07)));
}

torch::Tensor ClipModelImpl::encodeText(const torch::Tensor& ids)
{
    if (ids.dim() != 2 || ids.size(0) == 0 || ids.size(1) == 0)
        throw Error("CLIP text: token ids must be [N,L] with N, L > 0, got " + shapeString(ids.sizes()));
    if (ids.size(1) > m_config.text.maxPositions)
        throw Error("CLIP text: " + std::to_string(ids.size(1)) + " tokens, the model holds at most " +
                    std::to_string(m_config.text.maxPositions));
    if (ids.scalar_type() != torch::kLong && ids.scalar_type() != torch::kInt)
        throw Error(std::string("CLIP text: token ids must be integers, got ") + c10::toString(ids.scalar_type()));
    const auto device = m->textProjection->weight.device();
    const auto longIds = ids.to(device, torch::kLong);
    const int64_t lo = longIds.min().item<int64_t>(), hi = longIds.max().item<int64_t>();
    if (lo < 0 || hi >= m_config.text.vocabSize)
        throw Error("CLIP text: token id " + std::to_string(lo < 0 ? lo : hi) + " is outside the vocabulary of " +
                    std::to_string(m_config.text.vocabSize));
    return m->textProjection(m->text(longIds));
}

torch::Tensor ClipModelImpl::encodeImage(const torch::Tensor& pixels)
{
    const int64_t s = m_config.vision.imageSize;
    if (pixels.dim() != 4 || pixels.size(0) == 0 || pixels.size(1) != 3 || pixels.size(2) != s || pixels.size(3) != s)
        throw Error("CLIP image: pixels must be [N,3," + std::to_string(s) + "," + std::to_string(s) + "], got " +
                    shapeString(pixels.sizes()));
    const auto& weight = m->visualProjection->weight;
    return m->visualProjection(m->vision(pixels.to(weight.device(), weight.scalar_type())));
}

} // namespace pae::models
