// Timings of the StyleGAN2 generator in config-f shapes (1024², random weights): forward
// and forward+backward with respect to W+, at the 256² CLIP resolution and at full size.
// Opt-in: ctest -L bench. PAE_BENCH_REPEAT sets the repeats (default 2).
#include "core/models/stylegan2.h"
#include "core/util/device.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <chrono>

class BenchStyleGan2 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bench()
    {
        pae::configureThreads(0);
        pae::models::StyleGan2Config config; // config-f
        pae::models::Generator g(config);
        for (auto& p : g->parameters())
            p.set_requires_grad(false);
        const int repeat = qEnvironmentVariableIsSet("PAE_BENCH_REPEAT") ? qEnvironmentVariableIntValue("PAE_BENCH_REPEAT") : 2;
        const auto w0 = torch::randn({1, config.numLatents(), config.styleDim}, at::detail::createCPUGenerator(1));
        qInfo("threads: %d", torch::get_num_threads());
        for (int64_t stop : {int64_t{256}, int64_t{1024}}) {
            for (bool backward : {false, true}) {
                double best = 1e9;
                for (int i = 0; i < repeat + 1; ++i) { // the first run warms the caches
                    const auto t0 = std::chrono::steady_clock::now();
                    if (backward) {
                        auto w = w0.clone().requires_grad_(true);
                        auto image = g->synthesize(w, stop);
                        image.square().mean().backward();
                        QVERIFY(torch::isfinite(w.grad()).all().item<bool>());
                    } else {
                        torch::NoGradGuard noGrad;
                        auto image = g->synthesize(w0, stop);
                        QVERIFY(torch::isfinite(image).all().item<bool>());
                    }
                    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                    if (i > 0)
                        best = std::min(best, s);
                }
                qInfo("%s at %lld²: %.3f s", backward ? "forward+backward" : "forward", static_cast<long long>(stop), best);
            }
        }
    }
};

QTEST_GUILESS_MAIN(BenchStyleGan2)
#include "tst_stylegan2_bench.moc"
