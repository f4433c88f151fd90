// Stages 5 and 6: the built-in world's identity network and encoder, in the layouts of
// the files users bring for real faces (ArcFace IR-SE50, e4e), narrower. The loaders and
// the engine paths that read model_ir_se50.pth and e4e_ffhq_encode.pt read these too.
#include "core/io/safetensors.h"
#include "core/models/irse.h"
#include "core/models/stylegan2.h"
#include "core/synthface/train.h"
#include "core/synthface/train_data.h"
#include "core/util/error.h"
#include "core/util/format.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace pae::synthface {
namespace {

namespace F = torch::nn::functional;

// Stage widths: a tenth of the real networks' cost is plenty for a 64² world.
const std::array<int64_t, 4> kIdentityWidths = {8, 16, 16, 32};
// The encoder reads the world's 64² faces as they are (e4e's 256² would cost 16 times
// more for nothing): its style blocks still end at 1×1.
constexpr int64_t kIdentityInput = 8;
constexpr int64_t kIdentityEmbedding = 64;
// The last stage is as wide as W (e4e adds its features to the FPN's W-wide laterals).
const std::array<int64_t, 3> kEncoderWidths = {8, 16, 16};
constexpr int64_t kEncoderInput = 8;
constexpr int64_t kReduction = 8;

// Parameters and buffers under their module names (BatchNorm's step counter is left out:
// eval mode does not read it and the loader fills it in).
io::TensorMap stateOf(torch::nn::Module& module, const std::string& prefix)
{
    io::TensorMap tensors;
    for (const auto& item : module.named_parameters())
        tensors.emplace(prefix + item.key(), item.value().detach().cpu().contiguous().clone());
    for (const auto& item : module.named_buffers()) {
        const std::string& name = item.key();
        if (name.size() >= 19 && name.compare(name.size() - 19, 19, "num_batches_tracked") == 0)
            continue;
        tensors.emplace(prefix + name, item.value().detach().cpu().contiguous().clone());
    }
    return tensors;
}

double psnr(const torch::Tensor& a01, const torch::Tensor& b01)
{
    const double mse = (a01 - b01).square().mean().item<double>();
    return -10.0 * std::log10(std::max(mse, 1e-12));
}

// Pairs of faces that share the identity attributes and redraw everything else.
std::vector<Attributes> identityPairs(std::mt19937_64& rng, int64_t pairs, bool same)
{
    const std::vector<Attr> identity = identityAttributes();
    std::vector<Attributes> faces;
    faces.reserve(size_t(pairs) * 2);
    for (int64_t i = 0; i < pairs; ++i) {
        const Attributes a = sampleAttributes(rng);
        Attributes b = sampleAttributes(rng);
        if (same)
            for (Attr attr : identity)
                b.set(attr, a[attr]);
        faces.push_back(a);
        faces.push_back(b);
    }
    return faces;
}

} // namespace

nlohmann::json trainIdentity(const std::filesystem::path& file, const IdentityTrainOptions& o, const TrainLog& log)
{
    const auto units = models::irse50Units(kIdentityWidths, kIdentityInput, kReduction);
    models::ArcFace net{nullptr};
    {
        std::lock_guard<std::mutex> lock(defaultGeneratorLock());
        torch::manual_seed(stageSeed(o.seed, 30));
        net = models::ArcFace(kIdentityInput, units, kIdentityEmbedding);
    }
    net->train();
    torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(o.lr).weight_decay(1e-4));
    std::mt19937_64 rng(stageSeed(o.seed, 31));
    auto gen = at::detail::createCPUGenerator(stageSeed(o.seed, 32));
    const int64_t warmup = std::max<int64_t>(1, o.steps / 20);
    // Each face's partner is the other face of its pair; every other face of the batch is
    // a negative.
    const int64_t n = 2 * o.pairs;
    const auto partners = torch::arange(n, torch::kLong).bitwise_xor(1);
    const auto self = torch::eye(n) * 1e9;
    StepReporter reporter("identity", o.steps, log);
    double lossSum = 0;
    int64_t seen = 0;
    for (int64_t step = 1; step <= o.steps; ++step) {
        const double lr = warmupCosine(step, o.steps, warmup, o.lr, 0.02);
        for (auto& g : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        const FaceBatch faces = renderFaces(identityPairs(rng, o.pairs, true), kTrainImageSize);
        const auto x = models::identityCrop(unitToGenerator(augmentImages(faces.images, gen)));
        const auto e = net->forward(x);
        const auto logits = e.mm(e.t()) / o.temperature - self;
        const auto loss = F::cross_entropy(logits, partners);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw Error("identity: the loss became " + std::to_string(value) + " at step " + std::to_string(step));
        lossSum += value;
        ++seen;
        if (reporter.due(step)) {
            reporter.report(step, "loss " + fixed(lossSum / double(seen), 4));
            lossSum = 0;
            seen = 0;
        }
    }
    net->eval();
    io::saveSafetensors(file, stateOf(*net, ""), {{"format", "synthface identity (ArcFace IR-SE50 layout)"}});
    // The file is what the application opens.
    auto reloaded = loadUnderDefaultGeneratorLock([&] { return models::loadArcFace(file, torch::kCPU); });

    // Held out: faces from streams training never drew from.
    torch::NoGradGuard noGrad;
    std::mt19937_64 held(stageSeed(o.seed, 33));
    const int64_t pairs = 128;
    auto cosines = [&](bool same) {
        const FaceBatch faces = renderFaces(identityPairs(held, pairs, same), kTrainImageSize);
        const auto e = reloaded.net->forward(models::identityCrop(unitToGenerator(faces.images)));
        return (e.index({torch::indexing::Slice(0, torch::indexing::None, 2)}) *
                e.index({torch::indexing::Slice(1, torch::indexing::None, 2)}))
            .sum(1);
    };
    const auto same = cosines(true), different = cosines(false);
    const double separation = (same.unsqueeze(1) > different.unsqueeze(0)).to(torch::kFloat64).mean().item<double>();
    nlohmann::json report = {{"held_out_pairs", pairs},
                             {"same_identity_cosine", same.mean().item<double>()},
                             {"different_identity_cosine", different.mean().item<double>()},
                             {"separation", separation},
                             {"file_kib", std::filesystem::file_size(file) / 1024}};
    log("identity: wrote " + file.string() + "; held out, same identity cosine " +
        fixed(report["same_identity_cosine"].get<double>(), 3) + ", different " +
        fixed(report["different_identity_cosine"].get<double>(), 3) + ", a same pair beats a different one " +
        fixed(100 * separation, 1) + "% of the time");
    return report;
}

nlohmann::json trainEncoder(const std::filesystem::path& file, const std::filesystem::path& generatorFile,
                            const EncoderTrainOptions& o, const TrainLog& log)
{
    const models::StyleGan2 gan =
        loadUnderDefaultGeneratorLock([&] { return models::loadStyleGan2(generatorFile, torch::kCPU); });
    models::Generator generator = gan.generator;
    const int64_t rows = gan.config.numLatents(), dim = gan.config.styleDim;
    const auto units = models::irse50Units({kEncoderWidths[0], kEncoderWidths[1], kEncoderWidths[2], dim},
                                           kEncoderInput, kReduction);
    models::E4eEncoder net{nullptr};
    {
        std::lock_guard<std::mutex> lock(defaultGeneratorLock());
        torch::manual_seed(stageSeed(o.seed, 40));
        net = models::E4eEncoder(kEncoderInput, units, rows, dim, units[6].depth, units[20].depth);
    }
    const torch::Tensor latentAvg = gan.latentAvg.reshape({1, dim}).expand({rows, dim}).contiguous();
    net->train();
    torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(o.lr).weight_decay(1e-4));
    std::mt19937_64 rng(stageSeed(o.seed, 41));
    auto gen = at::detail::createCPUGenerator(stageSeed(o.seed, 42));
    const int64_t warmup = std::max<int64_t>(1, o.steps / 20);
    const int64_t fromGenerator = std::max<int64_t>(1, o.batch * 3 / 4);
    const int64_t rendered = std::max<int64_t>(1, o.batch - fromGenerator);

    // The generator's own faces, their W+ known: half with one w for every row, half mixed
    // (rows from a crossover on take a second face's w), so that the encoder learns rows apart.
    auto generatorFaces = [&](at::Generator& g, int64_t count) {
        torch::NoGradGuard noGrad;
        const auto w1 = generator->mapping(torch::randn({count, dim}, g, torch::kFloat32));
        const auto w2 = generator->mapping(torch::randn({count, dim}, g, torch::kFloat32));
        const auto crossover = torch::randint(1, rows, {count, 1}, g, torch::kLong);
        auto mixed = torch::arange(rows, torch::kLong).unsqueeze(0) >= crossover; // [count,rows]
        mixed.index_put_({torch::indexing::Slice(0, count / 2)}, false);
        const auto wPlus = torch::where(mixed.unsqueeze(2), w2.unsqueeze(1), w1.unsqueeze(1)).contiguous();
        return std::make_pair(wPlus, generator->synthesize(wPlus).clamp(-1, 1));
    };
    StepReporter reporter("encoder", o.steps, log);
    double latentSum = 0, pixelSum = 0;
    int64_t seen = 0;
    for (int64_t step = 1; step <= o.steps; ++step) {
        const double lr = warmupCosine(step, o.steps, warmup, o.lr, 0.02);
        for (auto& g : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        const auto [wPlus, images] = generatorFaces(gen, fromGenerator);
        const auto renders = unitToGenerator(renderSampledFaces(rng, int(rendered), kTrainImageSize).images);
        const auto x = torch::cat({images, renders});
        const auto predicted = net->forward(models::encoderInput(x, kTrainImageSize)) + latentAvg.unsqueeze(0);
        const auto latentLoss = F::mse_loss(predicted.narrow(0, 0, fromGenerator), wPlus);
        const auto pixelLoss = F::mse_loss(generator->synthesize(predicted), x);
        const auto loss = latentLoss + o.pixelWeight * pixelLoss;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (!std::isfinite(loss.item<double>()))
            throw Error("encoder: the loss became NaN or Inf at step " + std::to_string(step));
        latentSum += latentLoss.item<double>();
        pixelSum += pixelLoss.item<double>();
        ++seen;
        if (reporter.due(step)) {
            reporter.report(step, "latent " + fixed(latentSum / double(seen), 4) + " pixels " +
                                      fixed(pixelSum / double(seen), 4));
            latentSum = pixelSum = 0;
            seen = 0;
        }
    }
    net->eval();
    io::TensorMap tensors = stateOf(*net, "encoder.");
    tensors.emplace("latent_avg", latentAvg.clone());
    tensors.emplace("input_size", torch::tensor({int64_t(kTrainImageSize)}, torch::kLong));
    io::saveSafetensors(file, tensors, {{"format", "synthface encoder (e4e layout)"}});
    const models::Encoder reloaded = loadUnderDefaultGeneratorLock([&] { return models::loadE4e(file, torch::kCPU); });

    torch::NoGradGuard noGrad;
    auto held = at::detail::createCPUGenerator(stageSeed(o.seed, 43));
    std::mt19937_64 heldRng(stageSeed(o.seed, 44));
    const auto [wPlus, faces] = generatorFaces(held, 64);
    const auto renders = unitToGenerator(renderSampledFaces(heldRng, 32, kTrainImageSize).images);
    auto reconstructionPsnr = [&](const torch::Tensor& x) {
        const auto start = std::chrono::steady_clock::now();
        const auto w = reloaded.encode(models::encoderInput(x, kTrainImageSize));
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const auto image = generator->synthesize(w);
        return std::make_pair(psnr((image.clamp(-1, 1) + 1) / 2, (x + 1) / 2), ms / double(x.size(0)));
    };
    const auto [generatorPsnr, msPerFace] = reconstructionPsnr(faces);
    const auto [renderPsnr, unused] = reconstructionPsnr(renders);
    (void)unused;
    nlohmann::json report = {{"held_out_generator_faces", 64},
                             {"held_out_renders", 32},
                             {"encode_psnr_generator_faces_db", generatorPsnr},
                             {"encode_psnr_renders_db", renderPsnr},
                             {"encode_ms_per_face", msPerFace},
                             {"file_kib", std::filesystem::file_size(file) / 1024}};
    log("encoder: wrote " + file.string() + "; held out, encoding alone redraws the generator's faces at " +
        fixed(generatorPsnr, 2) + " dB and renders at " + fixed(renderPsnr, 2) + " dB (" + fixed(msPerFace, 1) +
        " ms a face)");
    return report;
}

} // namespace pae::synthface
