// End-to-end edits on tiny random models in the real key layouts: the loss falls,
// previews arrive, cancel stops, a sweep equals separate runs, NaN is caught.
#include "core/edit/edit_job.h"
#include "core/edit/edit_loop.h"
#include "core/edit/model_set.h"
#include "core/edit/model_set_impl.h"
#include "core/io/safetensors.h"
#include "core/io/weights.h"
#include "core/pae/corpus.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

fs::path fixture(const char* relative) { return fs::path(PAE_TEST_DATA_DIR) / relative; }

fs::path tinyGenerator()
{
    for (const auto& entry : fs::directory_iterator(fixture("tiny-stylegan2")))
        if (entry.path().extension() == ".pt")
            return entry.path();
    return {};
}

pae::EditRequest baseRequest(const pae::ModelSet& models)
{
    pae::EditRequest r = pae::EditRequest::defaults();
    r.source = models.latentFromSeed(7);
    r.prompt = "a happy face";
    r.corpus = "emotion";
    r.steps = 12;
    r.previewEvery = 4;
    r.previewSize = 32;
    r.learningRate = 0.05f;
    return r;
}

} // namespace

class TestEditJob : public QObject {
    Q_OBJECT
    QTemporaryDir m_cache;
    std::shared_ptr<pae::ModelSet> m_models;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
        pae::ModelPaths paths;
        paths.clipDir = fixture("tiny-clip");
        paths.generatorFile = tinyGenerator();
        paths.device = "cpu";
        QVERIFY2(!paths.generatorFile.empty(), "no tiny StyleGAN2 fixture");
        m_models = pae::ModelSet::load(paths);
    }

    void shouldLowerTheLoss_andSendPreviews()
    {
        pae::EditRequest r = baseRequest(*m_models);
        r.steps = 30;
        std::vector<float> losses;
        std::vector<int> previewSteps;
        pae::EditCallbacks cb;
        cb.progress = [&](const pae::EditProgress& p) { losses.push_back(p.clipLoss[0]); };
        cb.preview = [&](int step, const std::vector<pae::ImageRGB>& frames) {
            QCOMPARE(int(frames.size()), 1);
            QCOMPARE(std::max(frames[0].width, frames[0].height), 32);
            previewSteps.push_back(step);
        };
        const pae::EditResult result = pae::EditJob(m_models).run(r, cb);
        QCOMPARE(result.stepsRun, 30);
        QVERIFY(result.stopReason.empty());
        QCOMPARE(int(losses.size()), 30);
        QVERIFY2(losses.back() < losses.front(),
                 qPrintable(QString("CLIP loss did not fall: %1 → %2").arg(losses.front()).arg(losses.back())));
        QVERIFY(previewSteps.size() >= 8); // every 4 steps + the final frame
        QCOMPARE(previewSteps.front(), 0);
        QCOMPARE(int(result.images.size()), 1);
        QCOMPARE(result.images[0].width, m_models->info().resolution);
        QVERIFY(result.metrics[0].l2 > 0);
    }

    void shouldStopWithinOneStep_whenCancelled()
    {
        pae::EditRequest r = baseRequest(*m_models);
        r.steps = 50;
        int progressCalls = 0;
        pae::EditCallbacks cb;
        cb.progress = [&](const pae::EditProgress&) { ++progressCalls; };
        cb.cancelRequested = [&] { return progressCalls >= 3; };
        const pae::EditResult result = pae::EditJob(m_models).run(r, cb);
        QVERIFY(result.cancelled);
        QCOMPARE(result.stepsRun, 3);
        QCOMPARE(int(result.latents.size()), 1);
    }

    void shouldMatchSeparateRuns_whenSweeping()
    {
        pae::EditRequest sweep = baseRequest(*m_models);
        sweep.lambdas = {1.0f, 4.0f, 8.0f};
        const pae::EditResult together = pae::EditJob(m_models).run(sweep);
        QCOMPARE(int(together.latents.size()), 3);
        for (size_t k = 0; k < sweep.lambdas.size(); ++k) {
            pae::EditRequest single = sweep;
            single.lambdas = {sweep.lambdas[k]};
            const pae::EditResult alone = pae::EditJob(m_models).run(single);
            const auto& a = together.latents[k].values;
            const auto& b = alone.latents[0].values;
            const auto& w0 = sweep.source.values;
            QCOMPARE(a.size(), b.size());
            // Batched and single convolutions round differently, and Adam amplifies that
            // where gradients are tiny: compare against how far the edit moved the latent.
            double maxDiff = 0;
            double maxMove = 0;
            for (size_t i = 0; i < a.size(); ++i) {
                maxDiff = std::max(maxDiff, double(std::abs(a[i] - b[i])));
                maxMove = std::max(maxMove, double(std::abs(b[i] - w0[i])));
            }
            QVERIFY(maxMove > 1e-3);
            QVERIFY2(
                maxDiff < 0.02 * maxMove,
                qPrintable(QString("λ %1 differs by %2 (moved %3)").arg(sweep.lambdas[k]).arg(maxDiff).arg(maxMove)));
        }
        // Different λ must give different edits, or the sweep shows nothing.
        double spread = 0;
        for (size_t i = 0; i < together.latents[0].values.size(); ++i)
            spread = std::max(spread, double(std::abs(together.latents[0].values[i] - together.latents[2].values[i])));
        QVERIFY(spread > 1e-4);
    }

    void shouldGiveTheSameGradients_batchedOrOneLambdaAtATime()
    {
        // On CPU a sweep of real-size models runs its λ in turn (lambdaChunkFor); that must
        // change nothing but speed.
        const auto& M = pae::detail::implOf(*m_models);
        torch::manual_seed(3);
        pae::detail::LossSetup setup;
        setup.generator = M.gan.generator;
        setup.embedImages = [&M](const torch::Tensor& images) { return M.embedGeneratorImages(images); };
        setup.w0 = M.latentToTensor(m_models->latentFromSeed(7));
        auto targets = torch::randn({3, M.clip.config.projectionDim});
        setup.targets = targets / targets.norm(2, -1, true);
        setup.l2Weight = 0.1;
        const auto start = setup.w0.repeat({3, 1, 1}) + 0.05 * torch::randn({3, setup.w0.size(1), setup.w0.size(2)});
        torch::Tensor grads[2];
        torch::Tensor losses[2];
        for (int chunk : {0, 1}) {
            torch::Tensor w = start.clone().set_requires_grad(true);
            const auto terms = pae::detail::lossAndBackward(setup, w, chunk);
            QCOMPARE(terms.total.size(0), 3);
            QCOMPARE(terms.images.size(0), 3);
            grads[chunk] = w.grad().clone();
            losses[chunk] = terms.total;
        }
        QVERIFY(grads[0].abs().max().item<double>() > 0);
        const double gradDiff = (grads[0] - grads[1]).abs().max().item<double>();
        QVERIFY2(gradDiff <= 1e-4 * grads[0].abs().max().item<double>() + 1e-7, qPrintable(QString::number(gradDiff)));
        QVERIFY(torch::allclose(losses[0], losses[1], 1e-5, 1e-6));
        // One at a time on CPU for real-size models, batched for small ones and on CUDA.
        QCOMPARE(pae::detail::lambdaChunkFor(torch::Device(torch::kCPU), 256), int64_t(1));
        QCOMPARE(pae::detail::lambdaChunkFor(torch::Device(torch::kCPU), 64), int64_t(0));
        QCOMPARE(pae::detail::lambdaChunkFor(torch::Device(torch::kCUDA, 0), 256), int64_t(0));
    }

    void shouldStartFromTheStartLatent_withTheL2PullTowardsTheSource()
    {
        // "Refine on this face": the optimization starts at source + Δw, not at the source.
        pae::EditRequest r = baseRequest(*m_models);
        r.steps = 1;
        r.learningRate = 1e-6f;
        r.start = r.source;
        for (size_t i = 0; i < r.start.values.size(); ++i)
            r.start.values[i] += (i % 2 ? 0.25f : -0.25f);
        const pae::EditResult result = pae::EditJob(m_models).run(r);
        double fromStart = 0;
        for (size_t i = 0; i < r.start.values.size(); ++i)
            fromStart = std::max(fromStart, double(std::abs(result.latents[0].values[i] - r.start.values[i])));
        QVERIFY2(fromStart < 1e-3, qPrintable(QString::number(fromStart)));
        // ‖w − w0‖² is measured against the source: 0.25² per value.
        const double expected = 0.0625 * double(r.start.values.size());
        QVERIFY2(std::abs(result.metrics[0].l2 - expected) < 1e-2 * expected,
                 qPrintable(QString("l2 %1, expected %2").arg(result.metrics[0].l2).arg(expected)));
        // A start of another shape is refused, naming the field.
        pae::EditRequest bad = baseRequest(*m_models);
        bad.start = bad.source;
        bad.start.values.pop_back();
        bad.start.numLatents -= 1;
        try {
            pae::EditJob(m_models).run(bad);
            QFAIL("a start latent of another shape was accepted");
        } catch (const pae::UsageError& ex) {
            QVERIFY2(QString(ex.what()).startsWith("start:"), ex.what());
        }
    }

    void shouldMoveOnlyTheChosenRows_andOneOffsetInW()
    {
        const int rows = m_models->info().numLatents;
        const int d = m_models->info().styleDim;
        QVERIFY(rows >= 4);
        pae::EditRequest r = baseRequest(*m_models);
        r.previewEvery = 0;
        r.lambdas = {2.0f, 8.0f};
        auto offset = [&](const pae::Latent& w, int row, int k) {
            return double(w.values[size_t(row * d + k)] - r.source.values[size_t(row * d + k)]);
        };
        // Rows 1 and 2 only: the others are the source's, bit for bit; the chosen ones moved.
        r.layers = {1, 2};
        const pae::EditResult masked = pae::EditJob(m_models).run(r);
        for (const pae::Latent& w : masked.latents)
            for (int row = 0; row < rows; ++row) {
                double moved = 0;
                for (int k = 0; k < d; ++k)
                    moved = std::max(moved, std::abs(offset(w, row, k)));
                if (row == 1 || row == 2)
                    QVERIFY2(moved > 1e-3, qPrintable(QString("row %1 did not move").arg(row)));
                else
                    QVERIFY2(moved == 0.0, qPrintable(QString("row %1 moved by %2").arg(row).arg(moved)));
            }
        // W: one offset for every row; the loss still falls.
        r.layers.clear();
        r.sharedOffset = true;
        const pae::EditResult shared = pae::EditJob(m_models).run(r);
        for (const pae::Latent& w : shared.latents)
            for (int row = 1; row < rows; ++row)
                for (int k = 0; k < d; ++k)
                    QVERIFY2(std::abs(offset(w, row, k) - offset(w, 0, k)) < 1e-5,
                             qPrintable(QString("row %1 dim %2").arg(row).arg(k)));
        QVERIFY(std::abs(offset(shared.latents[0], 0, 0)) > 1e-4);
        pae::EditRequest none = baseRequest(*m_models);
        none.steps = 1;
        none.previewEvery = 0;
        const float before = 1.0f - pae::EditJob(m_models).run(none).metrics[0].clipToTarget;
        QVERIFY2(1.0f - shared.metrics[1].clipToTarget < before,
                 qPrintable(QString("%1 vs %2").arg(shared.metrics[1].clipToTarget).arg(1.0f - before)));
        // A row outside the latent is refused, naming the field.
        r.layers = {rows};
        try {
            pae::EditJob(m_models).run(r);
            QFAIL("a row outside the latent was accepted");
        } catch (const pae::UsageError& e) {
            QVERIFY2(QString(e.what()).startsWith("layers:"), e.what());
        }
    }

    void layerListsShouldReadAsUsersWriteThem()
    {
        QCOMPARE(pae::parseLayers("0-3,7", 10, "--layers"), (std::vector<int>{0, 1, 2, 3, 7}));
        QCOMPARE(pae::parseLayers(" 8- ", 10, "--layers"), (std::vector<int>{8, 9}));
        QCOMPARE(pae::parseLayers("5,1", 10, "--layers"), (std::vector<int>{1, 5}));
        QVERIFY(pae::parseLayers("all", 10, "--layers").empty());
        QVERIFY(pae::parseLayers("", 10, "--layers").empty());
        QCOMPARE(pae::formatLayers({0, 1, 2, 3, 7, 9, 8}), std::string("0-3,7-9"));
        QCOMPARE(pae::formatLayers({}), std::string("all"));
        for (const char* bad : {"10", "3-1", "1,1", "x", "-2", "1,,2", "0-99999", "2-5,4"}) {
            try {
                pae::parseLayers(bad, 10, "--layers");
                QFAIL(qPrintable(QString("'%1' was accepted").arg(bad)));
            } catch (const pae::UsageError& e) {
                QVERIFY2(QString(e.what()).startsWith("--layers: '"), e.what());
            }
        }
    }

    // A corpus's header sets the defaults of an edit in it; a row its generator lacks is named
    // with the file and line.
    void shouldTakeTheCorpusHeadersSettings_asDefaults()
    {
        pae::ModelInfo info;
        info.builtin = true;
        info.numLatents = 10;
        pae::Corpus corpus;
        corpus.file = "/x/hair.txt";
        QCOMPARE(pae::EditRequest::defaults(info, corpus).l2Weight, pae::EditRequest::defaults(info).l2Weight);
        QVERIFY(pae::EditRequest::defaults(info, corpus).layers.empty());
        corpus.defaults.layers = "0-3";
        corpus.defaults.layersLine = 4;
        corpus.defaults.l2Weight = 0.02f;
        corpus.defaults.sharedOffset = true;
        QVERIFY(pae::EditRequest::defaults(info, corpus).target == pae::TargetKind::PaePlus);
        corpus.defaults.target = pae::TargetKind::PaePlusCorpus;
        const pae::EditRequest r = pae::EditRequest::defaults(info, corpus);
        QVERIFY(r.target == pae::TargetKind::PaePlusCorpus);
        QCOMPARE(r.layers, (std::vector<int>{0, 1, 2, 3}));
        QCOMPARE(r.l2Weight, 0.02f);
        QVERIFY(r.sharedOffset);
        QCOMPARE(r.steps, pae::EditRequest::defaults(info).steps);
        corpus.defaults.layers = "8-12";
        try {
            pae::EditRequest::defaults(info, corpus);
            QFAIL("a row outside the latent was accepted");
        } catch (const pae::Error& e) {
            QVERIFY2(!dynamic_cast<const pae::UsageError*>(&e), "a bad corpus file is not a usage error");
            QVERIFY2(QString(e.what()).startsWith("/x/hair.txt:4: layers: '8-12': row 12 is outside the latent's 0–9"),
                     e.what());
        }
    }

    void shouldBeDeterministic_forAFixedSeed()
    {
        const pae::EditRequest r = baseRequest(*m_models);
        const auto a = pae::EditJob(m_models).run(r);
        const auto b = pae::EditJob(m_models).run(r);
        QVERIFY(a.latents[0].values == b.latents[0].values);
    }

    void shouldRefuseABadRequest_withTheFieldNamed()
    {
        pae::EditRequest r = baseRequest(*m_models);
        r.prompt = "   ";
        try {
            pae::EditJob(m_models).run(r);
            QFAIL("an empty prompt was accepted");
        } catch (const pae::UsageError& e) {
            QVERIFY(QString(e.what()).contains("prompt"));
        }
        r = baseRequest(*m_models);
        r.corpus = "no-such-corpus";
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::EditJob(m_models).run(r));
    }

    void shouldStopAndKeepTheSource_whenTheGeneratorOverflows()
    {
        // A generator whose weights overflow float32 gives NaN for the source face itself.
        QTemporaryDir dir;
        pae::io::TensorMap weights = pae::io::loadWeights(tinyGenerator());
        bool poisoned = false;
        for (auto& [key, value] : weights)
            if (key.find("to_rgb1.conv.weight") != std::string::npos) {
                value = value * 1e38f * 1e38f;
                poisoned = true;
            }
        QVERIFY(poisoned);
        const fs::path broken = fs::path(dir.path().toStdString()) / "broken.safetensors";
        pae::io::saveSafetensors(broken, weights);
        pae::ModelPaths paths;
        paths.clipDir = fixture("tiny-clip");
        paths.generatorFile = broken;
        paths.device = "cpu";
        auto models = pae::ModelSet::load(paths);
        pae::EditRequest r = baseRequest(*models);
        r.target = pae::TargetKind::Text;
        const pae::EditResult result = pae::EditJob(models).run(r);
        QVERIFY2(result.stopReason.find("NaN") != std::string::npos, result.stopReason.c_str());
        QVERIFY(result.stopReason.find("step 0") != std::string::npos);
        QCOMPARE(result.stepsRun, 0);
        QCOMPARE(int(result.latents.size()), 1);
        QVERIFY(result.latents[0].values == r.source.values);
    }
};

QTEST_GUILESS_MAIN(TestEditJob)
#include "tst_edit_job.moc"
