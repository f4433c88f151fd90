#include "core/edit/edit_job.h"

#include "core/edit/edit_loop.h"
#include "core/edit/model_set_impl.h"
#include "core/edit/optimization.h"
#include "core/io/image.h"
#include "core/pae/targets.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/stopwatch.h"
#include "core/util/torch_errors.h"

#include <torch/torch.h>

namespace pae {

EditJob::EditJob(std::shared_ptr<const ModelSet> models) : m_models(std::move(models))
{
    if (!m_models)
        throw Error("edit job: no models are loaded");
}

EditResult EditJob::run(const EditRequest& request, const EditCallbacks& callbacks)
try {
    request.validate();
    const Stopwatch clock;
    const detail::ModelSetImpl& M = detail::implOf(*m_models);
    torch::manual_seed(request.seed);

    models::Generator generator = M.gan.generator; // a handle; the shared model is not changed
    const torch::Tensor w0 = M.latentToTensor(request.source);
    const int64_t stopResolution =
        request.resolution == ResolutionMode::Clip ? detail::clipModeResolution(M.gan.config) : 0;

    // i, t and the targets, one per λ.
    torch::Tensor targets;
    std::string sourceProblem;
    {
        torch::NoGradGuard noGrad;
        const auto i = M.embedGeneratorImages(generator->synthesize(w0, stopResolution))[0];
        if (!torch::isfinite(i).all().item<bool>())
            sourceProblem = "step 0: CLIP's embedding of the source face is NaN or Inf (the generator's output "
                            "overflows); nothing was optimized";
        const auto t = M.embedTexts({request.prompt})[0];
        Subspace subspace;
        if (request.target != TargetKind::Text) {
            const Corpus corpus = M.corpus(request.corpus);
            subspace = M.subspaceFor(corpus, request.basis, request.pcaComponents);
        }
        if (sourceProblem.empty()) {
            const PaeTargets pae = computeTargets(request.target, i, t, subspace, request.lambdas, request.prompt);
            targets = pae.targets.to(M.device, torch::kFloat32);
            targets = targets / targets.norm(2, -1, true).clamp_min(1e-12);
        } else {
            targets = t.expand({int64_t(request.lambdas.size()), t.size(0)}).clone();
        }
    }

    const int64_t L = int64_t(request.lambdas.size());
    detail::LossSetup setup;
    setup.generator = generator;
    setup.embedImages = [&M](const torch::Tensor& images) { return M.embedGeneratorImages(images); };
    setup.w0 = w0;
    setup.targets = targets;
    setup.l2Weight = request.l2Weight;
    setup.stopResolution = stopResolution;
    torch::Tensor identityAtFull; // R(G(w0)) at full resolution, for the metric
    if (M.identity) {
        torch::NoGradGuard noGrad;
        identityAtFull = M.embedIdentity(generator->synthesize(w0, 0));
        if (request.idWeight > 0) {
            setup.embedIdentity = [&M](const torch::Tensor& images) { return M.embedIdentity(images); };
            setup.identitySource =
                stopResolution > 0 ? M.embedIdentity(generator->synthesize(w0, stopResolution)) : identityAtFull;
            setup.identityWeight = request.idWeight;
        }
    }

    const torch::Tensor start = request.start.empty() ? w0 : M.latentToTensor(request.start);
    const int64_t chunk = detail::lambdaChunkFor(M.device, stopResolution > 0 ? stopResolution : M.gan.config.size);

    EditResult result;
    result.lambdas = request.lambdas;
    detail::LossTerms terms; // the last step's
    detail::LatentOptimization run;
    run.steps = sourceProblem.empty() ? request.steps : 0;
    run.learningRate = request.learningRate;
    const detail::LatentMove move = detail::latentMove(start, L, request.layers, request.sharedOffset);
    run.parameter = move.parameter;
    run.latentOf = move.latentOf;
    run.lossAndBackward = [&](const torch::Tensor& p, int) {
        if (!move.latentOf) {
            terms = detail::lossAndBackward(setup, p, chunk);
            return terms.total.detach().cpu();
        }
        // The loss's backward runs on a leaf copy of the latent (it may run in λ chunks);
        // its gradient is then carried through the cheap map from the parameter.
        const torch::Tensor w = move.latentOf(p).detach().requires_grad_(true);
        terms = detail::lossAndBackward(setup, w, chunk);
        torch::autograd::backward({move.latentOf(p)}, {w.grad()});
        return terms.total.detach().cpu();
    };
    run.cancelRequested = callbacks.cancelRequested;
    run.afterLoss = [&](int step) {
        if (callbacks.preview && request.previewEvery > 0 && step % request.previewEvery == 0)
            callbacks.preview(step, detail::previewFrames(terms.images, request.previewSize));
    };
    run.afterStep = [&](int stepsRun) {
        if (!callbacks.progress)
            return;
        const auto lossCpu = terms.total.detach().cpu();
        const auto clipCpu = terms.clipLoss.detach().cpu();
        EditProgress progress;
        progress.step = stepsRun;
        progress.steps = request.steps;
        for (int64_t k = 0; k < L; ++k) {
            progress.loss.push_back(lossCpu[k].item<float>());
            progress.clipLoss.push_back(clipCpu[k].item<float>());
        }
        progress.elapsedSeconds = clock.seconds();
        callbacks.progress(progress);
    };
    const detail::OptimizationOutcome outcome = detail::optimizeLatent(run);
    result.stepsRun = outcome.stepsRun;
    result.cancelled = outcome.cancelled;
    result.stopReason = sourceProblem.empty() ? outcome.stopReason : sourceProblem;
    if (!sourceProblem.empty())
        log::warn("{}", result.stopReason);
    const torch::Tensor& final = outcome.latent;

    torch::NoGradGuard noGrad;
    // One λ at a time, as ModelSet::render draws a latent: a batch rounds differently in the
    // last bit, and a result must look the same when its latent is drawn again (a reopened
    // session, an exported latent).
    std::vector<torch::Tensor> each;
    for (int64_t k = 0; k < final.size(0); ++k)
        each.push_back(generator->synthesize(final.narrow(0, k, 1), 0));
    const auto images = torch::cat(each);
    const auto features = M.embedGeneratorImages(images);
    const auto cosine = torch::nn::functional::cosine_similarity(
                            features, targets, torch::nn::functional::CosineSimilarityFuncOptions().dim(1))
                            .cpu();
    const auto l2 = (final - w0).pow(2).sum({1, 2}).cpu();
    const torch::Tensor identity =
        identityAtFull.defined() ? (M.embedIdentity(images) * identityAtFull).sum(1).cpu() : torch::Tensor();
    const auto unit = detail::generatorToUnit(images).clamp(0, 1).cpu();
    for (int64_t k = 0; k < L; ++k) {
        result.latents.push_back(M.tensorToLatent(final[k]));
        result.images.push_back(io::tensorToImage(unit[k]));
        EditMetrics metrics;
        metrics.lambda = request.lambdas[size_t(k)];
        metrics.clipToTarget = cosine[k].item<float>();
        metrics.l2 = l2[k].item<float>();
        metrics.loss = (1.0f - metrics.clipToTarget) + request.l2Weight * metrics.l2;
        if (identity.defined()) {
            metrics.idSimilarity = identity[k].item<float>();
            if (setup.identityWeight > 0)
                metrics.loss += request.idWeight * (1.0f - *metrics.idSimilarity);
        }
        result.metrics.push_back(metrics);
    }
    result.seconds = clock.seconds();
    if (callbacks.preview && !result.cancelled)
        callbacks.preview(result.stepsRun, detail::previewFrames(images, request.previewSize));
    return result;
} catch (...) {
    rethrowForUser("the edit");
}

} // namespace pae
