#include "core/edit/model_set.h"

#include "core/edit/model_set_impl.h"
#include "core/io/image.h"
#include "core/io/latent_file.h"
#include "core/models/clip_preprocess.h"
#include "core/pae/embedding_cache.h"
#include "core/pae/targets.h"
#include "core/util/device.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/paths.h"
#include "core/util/torch_errors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

namespace pae {
namespace fs = std::filesystem;

namespace detail {

torch::Tensor generatorToUnit(const torch::Tensor& images) { return images.add(1.0).mul(0.5); }

torch::Tensor ModelSetImpl::embedTexts(const std::vector<std::string>& texts) const
{
    torch::NoGradGuard noGrad;
    // Corpora can hold hundreds of prompts: encode in chunks to bound activation memory.
    std::vector<torch::Tensor> parts;
    const size_t chunk = 64;
    for (size_t begin = 0; begin < texts.size(); begin += chunk) {
        const std::vector<std::string> slice(texts.begin() + long(begin),
                                             texts.begin() + long(std::min(texts.size(), begin + chunk)));
        models::ClipModel model = clip.model; // a handle; the shared model is not changed
        parts.push_back(model->encodeText(clip.tokenize(slice)));
    }
    auto features = torch::cat(parts, 0).to(torch::kFloat32);
    return features / features.norm(2, -1, true).clamp_min(1e-12);
}

torch::Tensor ModelSetImpl::embedGeneratorImages(const torch::Tensor& images) const
{
    const auto pixels = models::clipPreprocess(generatorToUnit(images), clip.config.vision.imageSize);
    models::ClipModel model = clip.model;
    return model->encodeImage(pixels);
}

torch::Tensor ModelSetImpl::embedIdentity(const torch::Tensor& images) const
{
    if (!identity)
        throw Error("no identity model is loaded");
    models::ArcFace net = identity->net;
    return net->forward(models::identityCrop(images));
}

Corpus ModelSetImpl::corpus(const std::string& nameOrPath) const { return findCorpus(nameOrPath, corpusRoot); }

Subspace ModelSetImpl::subspaceFor(const Corpus& corpus, BasisKind kind, int pcaComponents) const
{
    const std::string key = corpus.contentHash + "/" + toString(kind) + "/" + std::to_string(pcaComponents);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (auto it = m_subspaces.find(key); it != m_subspaces.end())
            return it->second;
    }
    const torch::Tensor embeddings = corpusEmbeddings(corpus);
    Subspace subspace = kind == BasisKind::Pca ? pcaBasis(embeddings, pcaComponents)
                                               : gramSchmidtBasis(embeddings, corpus.templatedPrompts());
    subspace.corpus = corpus.name;
    subspace.basis = subspace.basis.to(device);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_subspaces.emplace(key, subspace);
    return subspace;
}

torch::Tensor ModelSetImpl::corpusEmbeddings(const Corpus& corpus) const
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (auto it = m_embeddings.find(corpus.contentHash); it != m_embeddings.end())
            return it->second;
    }
    const torch::Tensor embeddings = getOrCompute(
        clip.hash, corpus, [this](const std::vector<std::string>& texts) { return embedTexts(texts).cpu(); });
    std::lock_guard<std::mutex> lock(m_mutex);
    m_embeddings.emplace(corpus.contentHash, embeddings);
    return embeddings;
}

torch::Tensor ModelSetImpl::latentToTensor(const Latent& latent) const
{
    const auto& cfg = gan.config;
    if (latent.numLatents != cfg.numLatents() || latent.styleDim != cfg.styleDim)
        throw Error("the latent is " + std::to_string(latent.numLatents) + "×" + std::to_string(latent.styleDim) +
                    ", but the generator takes " + std::to_string(cfg.numLatents()) + "×" +
                    std::to_string(cfg.styleDim) + " (W+)");
    return torch::from_blob(const_cast<float*>(latent.values.data()), {1, latent.numLatents, latent.styleDim},
                            torch::kFloat32)
        .clone()
        .to(device);
}

Latent ModelSetImpl::tensorToLatent(const torch::Tensor& wPlus) const
{
    auto w = wPlus.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (w.dim() == 3)
        w = w[0];
    Latent latent;
    latent.numLatents = int(w.size(0));
    latent.styleDim = int(w.size(1));
    latent.values.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    return latent;
}

} // namespace detail

ModelSet::ModelSet(std::unique_ptr<detail::ModelSetImpl> impl) : d(std::move(impl)) {}
ModelSet::~ModelSet() = default;

const detail::ModelSetImpl& detail::implOf(const ModelSet& models) { return *models.d; }

namespace {

// studio.json beside the built-in models: {"first_seed": N, …}, written by
// `pae-cli synthface neutral-seed --out`. Absent: no first seed; broken: an error naming it.
std::optional<uint64_t> readFirstSeed(const fs::path& file)
{
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::nullopt;
    std::ifstream in(file);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw Error(file.string() + ": not a JSON object");
    if (!j.contains("first_seed"))
        return std::nullopt;
    if (!j.at("first_seed").is_number_unsigned() || j.at("first_seed").get<uint64_t>() > 0xffffffffULL)
        throw Error(file.string() + ": first_seed: expected a seed from 0 to 4294967295, found " +
                    j.at("first_seed").dump());
    return j.at("first_seed").get<uint64_t>();
}

} // namespace

std::shared_ptr<ModelSet> ModelSet::load(const ModelPaths& paths)
try {
    configureThreads(paths.threads);
    const torch::Device device = resolveDevice(parseDeviceChoice(paths.device));

    const fs::path builtinDir = builtinModelsDir();
    fs::path clipDir = paths.clipDir;
    fs::path generatorFile = paths.generatorFile;
    const bool builtin = clipDir.empty() && generatorFile.empty();
    if (clipDir.empty() != generatorFile.empty())
        throw UsageError("models: give both a CLIP folder and a StyleGAN2 file, or neither for the built-in "
                         "SynthFace models");
    if (builtin) {
        clipDir = builtinDir / "clip";
        generatorFile = builtinDir / "generator.safetensors";
        if (!fs::exists(clipDir) || !fs::exists(generatorFile))
            throw Error(builtinDir.string() +
                        ": the built-in SynthFace models are missing (expected clip/ and generator.safetensors); "
                        "run 'pae-cli synthface train --out " +
                        builtinDir.string() + "' or configure real models");
    }
    auto impl = std::make_unique<detail::ModelSetImpl>(models::loadClip(clipDir, device),
                                                       models::loadStyleGan2(generatorFile, device), device);
    impl->builtin = builtin;
    // Models are shared read-only; gradients flow only to the latents a job optimizes.
    for (auto& p : impl->clip.model->parameters())
        p.set_requires_grad(false);
    for (auto& p : impl->gan.generator->parameters())
        p.set_requires_grad(false);
    impl->clip.model->eval();
    impl->gan.generator->eval();
    impl->clipSource = clipDir.string();
    impl->generatorSource = generatorFile.string();
    impl->corpusRoot = impl->builtin ? promptsDir() / "synthface" : promptsDir();
    if (builtin)
        impl->firstSeed = readFirstSeed(builtinDir / "studio.json");
    // The built-in world brings its own identity network and encoder (synthface train);
    // a file given explicitly takes their place.
    fs::path identityFile = paths.identityFile, encoderFile = paths.encoderFile;
    std::error_code ec;
    if (builtin && identityFile.empty() && fs::exists(builtinDir / "identity.safetensors", ec))
        identityFile = builtinDir / "identity.safetensors";
    if (builtin && encoderFile.empty() && fs::exists(builtinDir / "encoder.safetensors", ec))
        encoderFile = builtinDir / "encoder.safetensors";
    if (!identityFile.empty()) {
        impl->identity = models::loadArcFace(identityFile, device);
        impl->identitySource = identityFile.string();
    }
    if (!encoderFile.empty()) {
        models::Encoder encoder = models::loadE4e(encoderFile, device);
        const auto& cfg = impl->gan.config;
        if (encoder.rows != cfg.numLatents() || encoder.styleDim != cfg.styleDim)
            throw Error(encoderFile.string() + ": the encoder writes " + std::to_string(encoder.rows) + "×" +
                        std::to_string(encoder.styleDim) + " W+, but the generator " + generatorFile.string() +
                        " takes " + std::to_string(cfg.numLatents()) + "×" + std::to_string(cfg.styleDim) +
                        " (an encoder belongs to the generator it was trained with)");
        impl->encoder = std::move(encoder);
        impl->encoderSource = encoderFile.string();
    }
    log::info("models on {}: CLIP {} ({}), generator {} ({})", impl->device.str(), impl->clipSource,
              impl->clip.config.describe(), impl->generatorSource, impl->gan.config.describe());
    return std::shared_ptr<ModelSet>(new ModelSet(std::move(impl)));
} catch (...) {
    rethrowForUser("loading the models");
}

ModelInfo ModelSet::info() const
{
    ModelInfo info;
    info.clipDescription = d->clipSource + " — " + d->clip.config.describe();
    info.generatorDescription = d->generatorSource + " — " + d->gan.config.describe();
    info.generatorHash = d->gan.hash;
    info.clipHash = d->clip.hash;
    info.device = d->device.str();
    info.resolution = int(d->gan.config.size);
    info.numLatents = int(d->gan.config.numLatents());
    info.styleDim = int(d->gan.config.styleDim);
    info.builtin = d->builtin;
    info.corpusRoot = d->corpusRoot;
    info.firstSeed = d->firstSeed;
    if (d->identity)
        info.identityDescription = d->identitySource + " — " + d->identity->description;
    if (d->encoder)
        info.encoderDescription = d->encoderSource + " — " + d->encoder->description;
    return info;
}

Latent ModelSet::latentFromSeed(uint64_t seed, float truncation) const
try {
    if (!(truncation >= 0 && truncation <= 2))
        throw UsageError("truncation: " + std::to_string(truncation) + " is outside [0, 2]");
    torch::NoGradGuard noGrad;
    const auto z = d->gan.zFromSeed(seed, 1).to(d->device);
    auto w = d->gan.generator->mapping(z);
    w = d->gan.truncate(w, truncation);
    return d->tensorToLatent(d->gan.toWPlus(w));
} catch (...) {
    rethrowForUser("making a face from a seed");
}

Latent ModelSet::loadLatent(const fs::path& path, std::string* warning) const
try {
    const auto& cfg = d->gan.config;
    const io::LatentFile file = io::readLatentFile(path, cfg.numLatents(), cfg.styleDim);
    if (warning)
        *warning = file.generatorHash.empty() || file.generatorHash == d->gan.hash
                       ? std::string()
                       : path.string() + ": saved from another generator (weights " + file.generatorHash +
                             ") than the one loaded (weights " + d->gan.hash +
                             "): the same latent draws another face here";
    if (!file.isZ)
        return d->tensorToLatent(file.values);
    torch::NoGradGuard noGrad;
    return d->tensorToLatent(d->gan.toWPlus(d->gan.generator->mapping(file.values.to(d->device))));
} catch (...) {
    rethrowForUser("reading the latent");
}

void ModelSet::saveLatent(const Latent& latent, const fs::path& path) const
{
    io::writeLatentFile(path, d->latentToTensor(latent), d->gan.hash);
}

ImageRGB ModelSet::render(const Latent& latent) const
try {
    torch::NoGradGuard noGrad;
    const auto image = d->gan.generator->synthesize(d->latentToTensor(latent));
    return io::tensorToImage(detail::generatorToUnit(image)[0]);
} catch (...) {
    rethrowForUser("drawing the face");
}

ImageRGB ModelSet::renderPreview(const Latent& latent, int maxSize) const
try {
    const int64_t full = d->gan.config.size;
    int64_t stop = 4;
    while (stop * 2 <= maxSize && stop * 2 <= full)
        stop *= 2;
    if (stop >= full)
        return render(latent);
    torch::NoGradGuard noGrad;
    const auto image = d->gan.generator->synthesize(d->latentToTensor(latent), stop);
    return io::tensorToImage(detail::generatorToUnit(image)[0]);
} catch (...) {
    rethrowForUser("drawing the preview");
}

float ModelSet::identitySimilarity(const Latent& a, const Latent& b) const
try {
    if (!d->identity)
        throw Error("identity similarity: no identity model is loaded (give an ArcFace IR-SE50 file)");
    torch::NoGradGuard noGrad;
    const auto images = d->gan.generator->synthesize(torch::cat({d->latentToTensor(a), d->latentToTensor(b)}));
    const auto e = d->embedIdentity(images);
    return (e[0] * e[1]).sum().item<float>();
} catch (...) {
    rethrowForUser("comparing identities");
}

PromptTokens ModelSet::countTokens(const std::string& prompt) const
{
    const auto& tokenizer = d->clip.tokenizer;
    const std::vector<int64_t> ids = tokenizer.encode(prompt);
    PromptTokens out;
    out.limit = int(d->clip.config.text.maxPositions);
    out.tokens = int(ids.size()) + 2;
    const size_t room = size_t(std::max(0, out.limit - 2)); // the start and end tokens always stay
    if (ids.size() <= room) {
        out.read = tokenizer.decode(ids);
        return out;
    }
    out.read = tokenizer.decode({ids.begin(), ids.begin() + std::ptrdiff_t(room)});
    out.cut = tokenizer.decode({ids.begin() + std::ptrdiff_t(room), ids.end()});
    return out;
}

PromptAnalysis ModelSet::analyzePrompt(const std::string& prompt, const std::string& corpusName, BasisKind basis,
                                       int pcaComponents) const
try {
    PromptAnalysis analysis;
    const Corpus corpus = d->corpus(corpusName);
    analysis.corpusPrompts = corpus.templatedPrompts();
    const Subspace subspace = d->subspaceFor(corpus, basis, pcaComponents);
    analysis.basisDescription = subspace.describe();
    if (prompt.find_first_not_of(" \t\r\n") == std::string::npos)
        return analysis;
    const auto t = d->embedTexts({prompt})[0];
    const PromptFit fit = analyzePromptFit(t, subspace, prompt);
    analysis.hasReading = true;
    analysis.subspaceComponent = float(fit.s);
    analysis.subspaceNorm = float(fit.subspaceNorm);
    analysis.usable = fit.usable;
    // Calibrated against prompts that belong to no corpus, and against the other corpora.
    auto named = [this](const Corpus& c) {
        return NamedEmbeddings{c.name, d->corpusEmbeddings(c), c.templatedPrompts()};
    };
    const Corpus unrelated = loadCorpus(promptsDir() / "null" / "unrelated.txt");
    std::vector<NamedEmbeddings> others;
    for (const std::string& name : listCorpora(d->corpusRoot)) {
        if (name == corpus.name)
            continue;
        try {
            others.push_back(named(d->corpus(name)));
        } catch (const std::exception& ex) {
            log::warn("corpus {} left out of the wrong-corpus check: {}", name, ex.what());
        }
    }
    NamedEmbeddings own = named(corpus);
    const CorpusMembership membership = corpusMembership(t, own, named(unrelated), others, prompt);
    analysis.corpusSimilarity = float(membership.similarity);
    analysis.nearestPrompt = membership.nearest;
    analysis.unrelatedSimilarity = float(membership.unrelatedSimilarity);
    analysis.closerCorpus = membership.closerCorpus;
    analysis.warn = !fit.usable || membership.warn;
    analysis.warning = !fit.usable ? fit.warning : membership.warning;
    return analysis;
} catch (...) {
    rethrowForUser("analysing the prompt");
}

} // namespace pae
