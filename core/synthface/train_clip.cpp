// Stage 2: the tiny CLIP, trained contrastively (symmetric InfoNCE with a learnable
// temperature) on freshly rendered, mildly augmented faces and one caption each. Half of
// each batch are twins of the other half that differ in one group of attributes, and a
// shared attribute read-out on both towers speeds up what the contrastive loss learns
// slowly (see renderTwinFaces and the probe below).
#include "core/io/safetensors.h"
#include "core/models/clip_preprocess.h"
#include "core/synthface/captions.h"
#include "core/synthface/latent_attributes.h"
#include "core/synthface/regressor.h"
#include "core/synthface/train.h"
#include "core/synthface/train_data.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <sstream>
#include <unordered_map>

namespace pae::synthface {
namespace {

namespace fs = std::filesystem;

// CLIP's own initialization scheme, shrunk: small normal embeddings and weights, so a
// transformer trained from scratch starts near the identity of its residual stream.
void initializeClip(models::ClipModelImpl& model)
{
    torch::NoGradGuard noGrad;
    for (auto& item : model.named_parameters()) {
        const std::string& name = item.key();
        auto& p = item.value();
        const auto ends = [&](const std::string& suffix) {
            return name.size() >= suffix.size() &&
                   name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
        };
        if (name == "logit_scale")
            p.fill_(std::log(1.0 / 0.07));
        else if (name.find("layer_norm") != std::string::npos || name.find("layrnorm") != std::string::npos ||
                 name.find("layernorm") != std::string::npos)
            ends(".weight") ? p.fill_(1.0) : p.zero_();
        else if (ends(".bias"))
            p.zero_();
        else if (name.find("position_embedding") != std::string::npos)
            p.normal_(0.0, 0.01);
        else if (name.find("embedding") != std::string::npos)
            p.normal_(0.0, 0.02);
        else if (p.dim() >= 2)
            p.normal_(0.0, 1.0 / std::sqrt(double(p.size(1) * (p.dim() == 4 ? p.size(2) * p.size(3) : 1))));
    }
}

// Token ids [N,L] padded with 0 to the longest caption of the batch (the causal mask
// makes the end token's state independent of what follows it).
torch::Tensor tokenizeBatch(const text::ClipTokenizer& tokenizer, const std::vector<std::string>& texts, int context)
{
    std::vector<std::vector<int64_t>> rows;
    size_t longest = 1;
    for (const auto& t : texts) {
        rows.push_back(tokenizer.tokenize(t, context));
        longest = std::max(longest, rows.back().size());
    }
    auto ids = torch::zeros({int64_t(rows.size()), int64_t(longest)}, torch::kLong);
    auto a = ids.accessor<int64_t, 2>();
    for (size_t r = 0; r < rows.size(); ++r)
        for (size_t i = 0; i < rows[r].size(); ++i)
            a[int64_t(r)][int64_t(i)] = rows[r][i];
    return ids;
}

// Captions that are the same text are positives of each other's images: a uniform
// target over them instead of a one-hot one that calls identical captions wrong.
torch::Tensor softTargets(const std::vector<std::string>& captions)
{
    std::unordered_map<std::string, int64_t> ids;
    std::vector<int64_t> index;
    for (const auto& c : captions)
        index.push_back(ids.emplace(c, int64_t(ids.size())).first->second);
    const auto t = torch::tensor(index, torch::kLong);
    auto same = (t.unsqueeze(0) == t.unsqueeze(1)).to(torch::kFloat32);
    return same / same.sum(1, true);
}

// A group of attributes that a training pair may differ in, and how often pairs differ
// there. Expression and the small features (eyes, mouth, glasses) get most of the pairs:
// they are a few pixels of a 64² face, which the contrastive loss otherwise learns last
// (hair and background tell most faces of a batch apart on their own).
struct TwinGroup {
    std::vector<Attr> attributes;
    double weight;
};

const std::vector<TwinGroup>& twinGroups()
{
    static const std::vector<TwinGroup> groups = {
        {{Attr::Smile, Attr::BrowAngle, Attr::MouthOpen, Attr::EyeOpen}, 5.0},
        {{Attr::EyeSize}, 2.0},
        {{Attr::MouthWidth}, 2.0},
        {{Attr::Glasses}, 1.5},
        {{Attr::Beard}, 0.75},
        {{Attr::HairColor}, 0.75},
        {{Attr::HairLength, Attr::HairCurl, Attr::Bald}, 0.75},
        {{Attr::SkinTone}, 0.4},
        {{Attr::FaceWidth}, 0.4},
        {{Attr::BackgroundHue}, 0.4},
    };
    return groups;
}

// Half the faces as the world draws them (half of those from latents, as the generator
// sees them), the other half their twins: the same face with one group of attributes
// drawn anew (binary features flipped). Each pair's captions name what the group shows,
// so the batch can only be sorted by looking at that group. focus[i] is face i's group.
FaceBatch renderTwinFaces(std::mt19937_64& rng, at::Generator& gen, int count, int size, int64_t latentDim,
                          std::vector<std::vector<Attr>>& focus)
{
    const int pairs = count / 2;
    std::vector<Attributes> attributes;
    attributes.reserve(size_t(count));
    const auto z = torch::randn({pairs, latentDim}, gen, torch::kFloat32);
    for (int i = 0; i < pairs; ++i)
        attributes.push_back(i % 2 == 0 ? attributesFromLatent(z[i].data_ptr<float>(), int(latentDim))
                                        : sampleAttributes(rng()));
    double total = 0;
    for (const TwinGroup& g : twinGroups())
        total += g.weight;
    focus.assign(size_t(count), {});
    for (int i = 0; i < pairs; ++i) {
        double pick = uniform01(rng()) * total;
        const TwinGroup* group = &twinGroups().back();
        for (const TwinGroup& g : twinGroups()) {
            if (pick < g.weight) {
                group = &g;
                break;
            }
            pick -= g.weight;
        }
        Attributes twin = attributes[size_t(i)];
        const Attributes fresh = sampleAttributes(rng());
        for (Attr a : group->attributes)
            twin.set(a, info(a).kind == AttrKind::Binary && group->attributes.size() == 1 ? 1.f - twin[a] : fresh[a]);
        attributes.push_back(twin);
        focus[size_t(i)] = focus[size_t(pairs + i)] = group->attributes;
    }
    while (int(attributes.size()) < count)
        attributes.push_back(sampleAttributes(rng()));
    return renderFaces(std::move(attributes), size);
}

} // namespace

models::ClipConfig synthfaceClipConfig(int64_t vocabSize)
{
    models::ClipConfig c;
    c.text.vocabSize = vocabSize;
    c.text.hiddenSize = 128;
    c.text.intermediateSize = 512;
    c.text.numLayers = 4;
    c.text.numHeads = 4;
    c.text.maxPositions = 32;
    c.text.hiddenAct = "quick_gelu";
    c.vision.hiddenSize = 128;
    c.vision.intermediateSize = 512;
    c.vision.numLayers = 4;
    c.vision.numHeads = 4;
    c.vision.imageSize = kTrainImageSize;
    c.vision.patchSize = 8;
    c.vision.hiddenAct = "quick_gelu";
    c.projectionDim = 128;
    return c;
}

nlohmann::json clipConfigJson(const models::ClipConfig& c)
{
    using nlohmann::json;
    // Token ids: the vocabulary puts <|startoftext|> and <|endoftext|> last.
    const int64_t eos = c.text.vocabSize - 1, bos = c.text.vocabSize - 2;
    return json{{"architectures", json::array({"CLIPModel"})},
                {"model_type", "clip"},
                {"projection_dim", c.projectionDim},
                {"logit_scale_init_value", 2.6592},
                {"torch_dtype", "float32"},
                {"text_config",
                 {{"model_type", "clip_text_model"},
                  {"vocab_size", c.text.vocabSize},
                  {"hidden_size", c.text.hiddenSize},
                  {"intermediate_size", c.text.intermediateSize},
                  {"num_hidden_layers", c.text.numLayers},
                  {"num_attention_heads", c.text.numHeads},
                  {"max_position_embeddings", c.text.maxPositions},
                  {"layer_norm_eps", c.text.layerNormEps},
                  {"hidden_act", c.text.hiddenAct},
                  {"projection_dim", c.projectionDim},
                  {"bos_token_id", bos},
                  {"eos_token_id", eos},
                  {"pad_token_id", 0}}},
                {"vision_config",
                 {{"model_type", "clip_vision_model"},
                  {"hidden_size", c.vision.hiddenSize},
                  {"intermediate_size", c.vision.intermediateSize},
                  {"num_hidden_layers", c.vision.numLayers},
                  {"num_attention_heads", c.vision.numHeads},
                  {"image_size", c.vision.imageSize},
                  {"patch_size", c.vision.patchSize},
                  {"num_channels", 3},
                  {"layer_norm_eps", c.vision.layerNormEps},
                  {"hidden_act", c.vision.hiddenAct},
                  {"projection_dim", c.projectionDim}}}};
}

void trainClip(const fs::path& clipDir, const ClipTrainOptions& o, const TrainLog& log)
{
    const auto tokenizer = text::ClipTokenizer::fromFolder(clipDir);
    const models::ClipConfig config = synthfaceClipConfig(int64_t(tokenizer.vocabSize()));
    models::ClipModel model{nullptr};
    // A linear read-out of the attributes from either tower's unit embedding, shared by
    // both and dropped after training. On images it asks the vision tower for every
    // attribute at once (contrastive pairs alone teach a from-scratch ViT the few pixels of
    // an expression far too slowly); on captions, for the attributes the caption names, so
    // that "happy" lands where the read-out finds smiling faces. It gives the image and text
    // spaces one set of attribute directions, which is what PAE's projections rely on.
    torch::nn::Linear probe{nullptr};
    {
        std::lock_guard<std::mutex> lock(defaultGeneratorLock());
        torch::manual_seed(stageSeed(o.seed, 0));
        model = models::ClipModel(config);
        initializeClip(*model);
        probe = torch::nn::Linear(config.projectionDim, AttributeRegressorImpl::outputCount());
    }
    model->train();
    log("clip: " + config.describe());

    // Weight decay on matrices only; norms, biases, embeddings and the temperature keep theirs.
    std::vector<torch::Tensor> decayed, plain;
    torch::Tensor logitScale;
    for (auto& item : model->named_parameters()) {
        if (item.key() == "logit_scale")
            logitScale = item.value();
        const bool matrix = item.value().dim() >= 2 && item.key().find("embedding") == std::string::npos;
        (matrix ? decayed : plain).push_back(item.value());
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decayed,
                        std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(o.lr).betas({0.9, 0.98}).eps(1e-6).weight_decay(o.weightDecay)));
    groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(o.lr).betas({0.9, 0.98}).eps(1e-6).weight_decay(0.0)));
    groups.emplace_back(probe->parameters(),
                        std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(o.lr).betas({0.9, 0.98}).eps(1e-6).weight_decay(0.0)));
    torch::optim::AdamW optimizer(groups, torch::optim::AdamWOptions(o.lr));

    std::mt19937_64 rng(stageSeed(o.seed, 1));
    auto gen = at::detail::createCPUGenerator(stageSeed(o.seed, 2));
    const int64_t warmup = std::max<int64_t>(1, o.steps / 20);
    const auto params = model->parameters();
    StepReporter reporter("clip", o.steps, log);
    double lossSum = 0, accSum = 0, probeSum = 0;
    int64_t seen = 0;
    for (int64_t step = 1; step <= o.steps; ++step) {
        const double lr = warmupCosine(step, o.steps, warmup, o.lr, 0.02);
        for (auto& g : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);

        std::vector<std::vector<Attr>> focus;
        FaceBatch faces = renderTwinFaces(rng, gen, int(o.batch), kTrainImageSize, kLatentDim, focus);
        std::vector<std::string> texts;
        auto named = torch::zeros({int64_t(faces.attributes.size()), kAttrCount}, torch::kFloat32);
        for (size_t i = 0; i < faces.attributes.size(); ++i) {
            std::vector<Concept> concepts;
            texts.push_back(caption(faces.attributes[i], rng, focus[i], &concepts));
            for (Concept c : concepts)
                named[int64_t(i)][int64_t(conceptAttribute(c))] = 1.0f;
        }
        const auto pixels = models::clipPreprocess(augmentImages(faces.images, gen), config.vision.imageSize);
        const auto ids = tokenizeBatch(tokenizer, texts, int(config.text.maxPositions));

        auto image = model->encodeImage(pixels);
        auto text = model->encodeText(ids);
        image = image / image.norm(2, -1, true);
        text = text / text.norm(2, -1, true);
        // Unit embeddings have components of about 1/√dim; ×10 brings them near 1.
        const auto probeLoss = AttributeRegressorImpl::loss(probe(image * 10.0), faces.attributes) +
                               AttributeRegressorImpl::loss(probe(text * 10.0), faces.attributes, named);
        const auto logits = logitScale.exp() * torch::mm(image, text.t());
        const auto targets = softTargets(texts);
        const auto loss = 0.5 * (-(targets * torch::log_softmax(logits, 1)).sum(1).mean() -
                                 (targets * torch::log_softmax(logits.t(), 1)).sum(1).mean());
        optimizer.zero_grad();
        (loss + o.probeWeight * probeLoss).backward();
        torch::nn::utils::clip_grad_norm_(params, 1.0);
        optimizer.step();
        {
            torch::NoGradGuard noGrad;
            logitScale.clamp_(0.0, std::log(100.0)); // CLIP's cap on the temperature
        }
        if (!std::isfinite(loss.item<double>()))
            throw Error("clip: the loss became " + std::to_string(loss.item<double>()) + " at step " +
                        std::to_string(step));
        lossSum += loss.item<double>();
        probeSum += probeLoss.item<double>();
        // Top-1 image → caption, counting an identical caption as right.
        accSum += targets.gather(1, logits.argmax(1, true)).gt(0).to(torch::kFloat32).mean().item<double>();
        ++seen;
        if (reporter.due(step)) {
            std::ostringstream v;
            v << std::fixed << std::setprecision(4) << "loss " << lossSum / seen << " read-out " << probeSum / seen
              << " acc " << std::setprecision(3) << accSum / seen << " scale " << std::setprecision(1)
              << logitScale.exp().item<double>() << " lr " << std::scientific << std::setprecision(2) << lr;
            reporter.report(step, v.str());
            lossSum = accSum = probeSum = 0;
            seen = 0;
        }
    }

    model->eval();
    io::TensorMap tensors;
    for (const auto& item : model->named_parameters())
        tensors.emplace(item.key(), item.value().detach().clone());
    for (const auto& item : model->named_buffers())
        tensors.emplace(item.key(), item.value().detach().clone());
    const std::string configText = clipConfigJson(config).dump(2) + "\n";
    writeFileAtomically(clipDir / "config.json", configText.data(), configText.size());
    io::saveSafetensors(clipDir / "model.safetensors", tensors,
                        {{"format", "pt"}, {"producer", "pae-cli synthface train"}, {"seed", std::to_string(o.seed)}});
    // What the application does with the folder, so a file it cannot open never ships.
    const auto loaded = loadUnderDefaultGeneratorLock([&] { return models::loadClip(clipDir, torch::kCPU); });
    log("clip: wrote " + clipDir.string() + " (" + std::to_string(tensors.size()) + " tensors, " +
        std::to_string(fs::file_size(clipDir / "model.safetensors") / 1024) +
        " KiB), reloaded: " + loaded.config.describe());
}

} // namespace pae::synthface
