// The one optimization loop under EditJob and InversionJob (core/edit/optimization.h), on a
// loss small enough to reason about: ‖p − target‖².
#include "core/edit/optimization.h"
#include "core/util/error.h"
#include "core/util/torch_errors.h"

#include "TestSupport.h"

#include <QtTest/QtTest>

#include <torch/torch.h>

#include <cmath>
#include <limits>

using pae::detail::LatentOptimization;
using pae::detail::OptimizationOutcome;

namespace {

LatentOptimization quadratic(const torch::Tensor& target, int steps)
{
    LatentOptimization run;
    run.steps = steps;
    run.learningRate = 0.1;
    run.parameter = torch::zeros_like(target).set_requires_grad(true);
    run.lossAndBackward = [target](const torch::Tensor& p, int) {
        const torch::Tensor loss = (p - target).square().sum();
        loss.backward();
        return loss.detach().reshape({1});
    };
    return run;
}

} // namespace

class TestOptimization : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldMoveTheLatentTowardsTheLoss_andCountEveryStep()
    {
        const torch::Tensor target = torch::full({1, 2, 3}, 0.5);
        LatentOptimization run = quadratic(target, 60);
        int lastStep = 0;
        int calls = 0;
        run.afterStep = [&](int stepsRun) {
            lastStep = stepsRun;
            ++calls;
        };
        const OptimizationOutcome out = pae::detail::optimizeLatent(run);
        QCOMPARE(out.stepsRun, 60);
        QCOMPARE(calls, 60);
        QCOMPARE(lastStep, 60);
        QVERIFY(!out.cancelled);
        QVERIFY(out.stopReason.empty());
        QVERIFY(!out.latent.requires_grad());
        const double error = (out.latent - target).abs().max().item<double>();
        QVERIFY2(error < 0.05, qPrintable(QString::number(error)));
    }

    void shouldStopAtOnce_whenCancelled()
    {
        LatentOptimization run = quadratic(torch::ones({1, 4}), 50);
        int steps = 0;
        run.afterStep = [&](int s) { steps = s; };
        run.cancelRequested = [&] { return steps >= 7; };
        const OptimizationOutcome out = pae::detail::optimizeLatent(run);
        QVERIFY(out.cancelled);
        QCOMPARE(out.stepsRun, 7);
        QCOMPARE(QString::fromStdString(out.stopReason), QStringLiteral("cancelled at step 7"));
    }

    // A NaN loss at step 5 (the 6th) keeps the latent of step 4, the last one whose loss was
    // finite, not the one that gave the NaN.
    void shouldKeepTheLastGoodLatent_whenTheLossBecomesNaN()
    {
        const torch::Tensor target = torch::ones({1, 4});
        LatentOptimization run = quadratic(target, 50);
        const auto loss = run.lossAndBackward;
        QList<torch::Tensor> seen;
        run.lossAndBackward = [&](const torch::Tensor& p, int step) {
            seen << p.detach().clone();
            if (step < 5)
                return loss(p, step);
            return torch::full({1}, std::numeric_limits<float>::quiet_NaN());
        };
        run.lossName = "pixel error";
        const OptimizationOutcome out = pae::detail::optimizeLatent(run);
        QCOMPARE(out.stepsRun, 5);
        QVERIFY(!out.cancelled);
        QCOMPARE(QString::fromStdString(out.stopReason),
                 QStringLiteral("step 6: the pixel error became NaN or Inf; stopped and kept the last good result"));
        QCOMPARE(seen.size(), 6);
        QVERIFY(torch::equal(out.latent, seen[4]));
        QVERIFY(!torch::equal(out.latent, seen[5]));
    }

    void shouldKeepTheLastGoodLatent_whenTheLatentBecomesInf()
    {
        LatentOptimization run = quadratic(torch::ones({1, 4}), 50);
        run.afterLoss = [&](int step) {
            if (step == 3) { // a gradient that throws the latent to infinity
                torch::NoGradGuard noGrad;
                run.parameter.mutable_grad().fill_(std::numeric_limits<float>::infinity());
            }
        };
        const OptimizationOutcome out = pae::detail::optimizeLatent(run);
        QCOMPARE(out.stepsRun, 3);
        QCOMPARE(QString::fromStdString(out.stopReason),
                 QStringLiteral("step 4: the latent became NaN or Inf; stopped and kept the last good result"));
        QVERIFY(torch::isfinite(out.latent).all().item<bool>());
    }

    // The inversion's W → W+: a [1,d] parameter for the first steps, then [1,n,d] from there,
    // the latent always as W+.
    void shouldSwitchTheParameter_atTheSwitchStep()
    {
        const torch::Tensor target = torch::arange(6, torch::kFloat32).reshape({1, 3, 2}) / 6.0;
        LatentOptimization run;
        run.steps = 80;
        run.learningRate = 0.1;
        run.parameter = torch::zeros({1, 2}).set_requires_grad(true);
        run.switchAt = 20;
        run.switchTo = [](const torch::Tensor& w) { return w.unsqueeze(1).repeat({1, 3, 1}).set_requires_grad(true); };
        run.latentOf = [](const torch::Tensor& p) { return p.dim() == 2 ? p.unsqueeze(1).repeat({1, 3, 1}) : p; };
        QList<int> dims;
        run.lossAndBackward = [&](const torch::Tensor& p, int) {
            dims << int(p.dim());
            const torch::Tensor loss = (run.latentOf(p) - target).square().sum();
            loss.backward();
            return loss.detach().reshape({1});
        };
        const OptimizationOutcome out = pae::detail::optimizeLatent(run);
        QCOMPARE(out.stepsRun, 80);
        QCOMPARE(dims.count(2), 20);
        QCOMPARE(dims.count(3), 60);
        QCOMPARE(out.latent.sizes(), target.sizes());
        // Only W+ can tell the three rows apart: they did move apart.
        QVERIFY((out.latent[0][0] - out.latent[0][2]).abs().max().item<double>() > 0.2);
    }

    void shouldRefuseARunWithoutALoss()
    {
        LatentOptimization run;
        run.steps = 3;
        QCOMPARE(pae::test::errorOf([&] { pae::detail::optimizeLatent(run); }),
                 std::string("optimization: no parameter or no loss was given"));
    }

    // LibTorch's own errors reach the user as one sentence naming the task, no backtrace.
    void shouldTurnLibTorchErrorsIntoSentences()
    {
        const std::string message = pae::test::errorOf([] {
            try {
                (void)torch::ones({2, 3}).matmul(torch::ones({2, 3}));
            } catch (...) {
                pae::rethrowForUser("the edit");
            }
        });
        QVERIFY2(message.rfind("the edit failed inside LibTorch: ", 0) == 0, message.c_str());
        QVERIFY2(message.find('\n') == std::string::npos, message.c_str());
        QVERIFY2(message.find("frame #") == std::string::npos, message.c_str());
        // pae::Error passes unchanged.
        QCOMPARE(pae::test::errorOf([] {
                     try {
                         throw pae::Error("x.png: no face found");
                     } catch (...) {
                         pae::rethrowForUser("the edit");
                     }
                 }),
                 std::string("x.png: no face found"));
    }
};

QTEST_GUILESS_MAIN(TestOptimization)
#include "tst_optimization.moc"
