#include "core/diagnostics/bench.h"

#include "core/edit/edit_request.h"
#include "core/edit/model_set_impl.h"
#include "core/models/clip.h"
#include "core/models/clip_preprocess.h"
#include "core/models/irse.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace pae::detail {
namespace {

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

void synchronize(const torch::Device& device)
{
    // Timings on CUDA need the queue drained; a tiny copy to the host does that portably.
    if (device.is_cuda())
        torch::zeros({1}, torch::TensorOptions().device(device)).cpu();
}

} // namespace

PhaseTimes benchSteps(const BenchModels& models, int64_t stopResolution, int lambdas, int steps, int64_t chunk)
{
    const auto& cfg = models.generatorConfig;
    torch::manual_seed(0);
    LossSetup setup;
    setup.generator = models.generator;
    setup.embedImages = models.embedImages;
    setup.w0 = torch::randn({1, cfg.numLatents(), cfg.styleDim}).mul(0.3).to(models.device);
    auto targets = torch::randn({lambdas, models.projectionDim}).to(models.device);
    setup.targets = targets / targets.norm(2, -1, true);
    setup.l2Weight = 0.008;
    setup.stopResolution = stopResolution;
    if (models.embedIdentity) {
        torch::NoGradGuard noGrad;
        models::Generator generator = models.generator;
        setup.embedIdentity = models.embedIdentity;
        setup.identitySource = models.embedIdentity(generator->synthesize(setup.w0, stopResolution));
        setup.identityWeight = models.identityWeight;
    }

    torch::Tensor w = setup.w0.repeat({lambdas, 1, 1}).clone().set_requires_grad(true);
    torch::optim::Adam optimizer({w}, torch::optim::AdamOptions(0.01));
    std::vector<double> gen, clip, identity, backward, opt, total;
    for (int step = 0; step <= steps; ++step) {
        StepTimes times;
        const auto start = std::chrono::steady_clock::now();
        optimizer.zero_grad();
        lossAndBackward(setup, w, chunk, &times);
        synchronize(models.device);
        const auto t0 = std::chrono::steady_clock::now();
        optimizer.step();
        synchronize(models.device);
        times.optimizerMs = msSince(t0);
        if (step == 0)
            continue; // warm-up: allocator and caches
        gen.push_back(times.generatorMs);
        clip.push_back(times.clipMs);
        identity.push_back(times.identityMs);
        backward.push_back(times.backwardMs);
        opt.push_back(times.optimizerMs);
        total.push_back(msSince(start));
    }
    return PhaseTimes{median(gen), median(clip), median(identity), median(backward), median(opt), median(total)};
}

InversionStepTimes benchInversionSteps(const BenchModels& models, int64_t stopResolution, bool perceptual, int steps)
{
    const auto& cfg = models.generatorConfig;
    torch::manual_seed(0);
    const int64_t side = stopResolution > 0 ? stopResolution : cfg.size;
    const torch::Tensor target = torch::rand({1, 3, side, side}).to(models.device);
    const auto unitNorm = torch::nn::functional::NormalizeFuncOptions().dim(-1);
    torch::Tensor targetFeatures;
    if (perceptual) {
        torch::NoGradGuard noGrad;
        targetFeatures = torch::nn::functional::normalize(models.embedImages(target * 2.0 - 1.0), unitNorm);
    }
    torch::Tensor w =
        torch::randn({1, cfg.numLatents(), cfg.styleDim}).mul(0.3).to(models.device).set_requires_grad(true);
    torch::optim::Adam optimizer({w}, torch::optim::AdamOptions(0.1));
    std::vector<double> total;
    for (int step = 0; step <= steps; ++step) {
        const auto start = std::chrono::steady_clock::now();
        optimizer.zero_grad();
        models::Generator generator = models.generator; // a handle: synthesize is not const
        const torch::Tensor images = generator->synthesize(w, stopResolution);
        torch::Tensor loss = (generatorToUnit(images) - target).square().mean();
        if (perceptual) {
            const torch::Tensor features = torch::nn::functional::normalize(models.embedImages(images), unitNorm);
            loss = loss + 0.05 * (1.0 - (features * targetFeatures).sum(-1).mean());
        }
        loss.backward();
        optimizer.step();
        synchronize(models.device);
        if (step > 0) // the first is the warm-up: allocator and caches
            total.push_back(msSince(start));
    }
    return {median(total), total.empty() ? 0.0 : *std::min_element(total.begin(), total.end())};
}

std::vector<double> clipVsFullCosine(const BenchModels& models, int64_t stopResolution, int count)
{
    torch::NoGradGuard noGrad;
    const auto& cfg = models.generatorConfig;
    std::vector<double> out;
    for (int k = 0; k < count; ++k) {
        auto gen = at::detail::createCPUGenerator(static_cast<uint64_t>(k));
        const auto z = torch::randn({1, cfg.styleDim}, gen, torch::kFloat32).to(models.device);
        models::Generator generator = models.generator;
        const auto w = generator->mapping(z).unsqueeze(1).expand({1, cfg.numLatents(), cfg.styleDim});
        const auto full = models.embedImages(generator->synthesize(w, 0));
        const auto clip = models.embedImages(generator->synthesize(w, stopResolution));
        out.push_back(torch::nn::functional::cosine_similarity(
                          full, clip, torch::nn::functional::CosineSimilarityFuncOptions().dim(1))
                          .item<double>());
    }
    return out;
}

RenderTimes benchRender(const BenchModels& models, int64_t previewResolution, int repeats)
{
    torch::NoGradGuard noGrad;
    const auto& cfg = models.generatorConfig;
    torch::manual_seed(0);
    const auto w = torch::randn({1, cfg.numLatents(), cfg.styleDim}).mul(0.3).to(models.device);
    models::Generator generator = models.generator;
    std::vector<double> full, preview;
    for (int k = 0; k <= repeats; ++k) {
        auto t0 = std::chrono::steady_clock::now();
        generator->synthesize(w, 0);
        synchronize(models.device);
        const double fullMs = msSince(t0);
        t0 = std::chrono::steady_clock::now();
        generator->synthesize(w, previewResolution);
        synchronize(models.device);
        const double previewMs = msSince(t0);
        if (k == 0)
            continue; // warm-up
        full.push_back(fullMs);
        preview.push_back(previewMs);
    }
    return RenderTimes{*std::min_element(full.begin(), full.end()), median(full),
                       *std::min_element(preview.begin(), preview.end()), median(preview)};
}

FaceNetTimes benchFaceNets(torch::Device device, int repeats)
{
    torch::manual_seed(0);
    const auto units = models::irse50Units();
    models::ArcFace arcface(64, units, 512);
    models::E4eEncoder encoder(64, units, 18, 512, 128, 256);
    for (torch::nn::Module* m :
         {static_cast<torch::nn::Module*>(arcface.get()), static_cast<torch::nn::Module*>(encoder.get())}) {
        for (auto& p : m->parameters())
            p.set_requires_grad(false);
        m->eval();
        m->to(device);
    }
    std::vector<double> identity, encode;
    for (int k = 0; k <= repeats; ++k) {
        const auto faces = torch::rand({1, 3, 112, 112}, torch::TensorOptions().device(device)).mul(2).sub(1);
        const auto x = faces.clone().set_requires_grad(true);
        auto t0 = std::chrono::steady_clock::now();
        arcface->forward(x).sum().backward();
        synchronize(device);
        const double identityMs = msSince(t0);
        torch::NoGradGuard noGrad;
        const auto photo = torch::rand({1, 3, 256, 256}, torch::TensorOptions().device(device)).mul(2).sub(1);
        t0 = std::chrono::steady_clock::now();
        encoder->forward(photo);
        synchronize(device);
        const double encodeMs = msSince(t0);
        if (k == 0)
            continue; // warm-up
        identity.push_back(identityMs);
        encode.push_back(encodeMs);
    }
    return FaceNetTimes{*std::min_element(identity.begin(), identity.end()), median(identity),
                        *std::min_element(encode.begin(), encode.end()), median(encode)};
}

BenchModels benchModelsOf(std::shared_ptr<const ModelSet> models)
{
    if (!models)
        throw Error("bench: no models are loaded");
    const ModelSetImpl& M = implOf(*models);
    BenchModels bm;
    bm.generator = M.gan.generator;
    bm.generatorConfig = M.gan.config;
    bm.projectionDim = M.clip.config.projectionDim;
    bm.device = M.device;
    bm.embedImages = [&M](const torch::Tensor& images) { return M.embedGeneratorImages(images); };
    if (M.identity && EditRequest::defaults(models->info()).idWeight > 0) {
        bm.embedIdentity = [&M](const torch::Tensor& images) { return M.embedIdentity(images); };
        bm.identityWeight = EditRequest::defaults(models->info()).idWeight;
    }
    bm.description = models->info().clipDescription + "; " + models->info().generatorDescription;
    bm.owner = std::move(models);
    return bm;
}

BenchModels randomRealShapeModels(torch::Device device)
{
    torch::manual_seed(0);
    BenchModels m;
    m.device = device;
    m.generatorConfig = models::StyleGan2Config{};
    m.generator = models::Generator(m.generatorConfig);
    models::ClipConfig clipConfig;
    models::ClipModel clip(clipConfig);
    for (auto& p : m.generator->parameters())
        p.set_requires_grad(false);
    for (auto& p : clip->parameters())
        p.set_requires_grad(false);
    m.generator->to(device);
    clip->to(device);
    m.generator->eval();
    clip->eval();
    m.projectionDim = clipConfig.projectionDim;
    const int64_t size = clipConfig.vision.imageSize;
    m.embedImages = [clip, size](const torch::Tensor& images) mutable {
        return clip->encodeImage(models::clipPreprocess(images.add(1.0).mul(0.5), size));
    };
    m.description = "random weights: CLIP ViT-B/32 shapes, StyleGAN2 config-f 1024²";
    return m;
}

} // namespace pae::detail
