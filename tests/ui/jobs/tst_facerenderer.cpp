// Faces made off the GUI thread on the built-in SynthFace models: the right face comes back,
// a newer request always wins over an older one, errors come back as messages, and the
// event loop keeps running while a long list of faces renders.
#include "StudioTestModels.h"
#include "TestSupport.h"

#include "ui/canvas/ImageConversion.h"
#include "ui/jobs/FaceRenderer.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>

using namespace pae::ui;

namespace {
constexpr int kTimeoutMs = 60000;

FaceRequest seedRequest(quint64 seed)
{
    FaceRequest r;
    r.kind = FaceRequest::Kind::Seed;
    r.seed = seed;
    return r;
}

// Enough faces that rendering them takes a while on any machine.
FaceRequest manyFaces(const pae::ModelSet& models, int count)
{
    FaceRequest r;
    r.kind = FaceRequest::Kind::Latents;
    for (int i = 0; i < count; ++i)
        r.latents.push_back(models.latentFromSeed(quint64(1000 + i)));
    return r;
}
} // namespace

class TestFaceRenderer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(pae::test::builtinModelsPresent(), "the built-in SynthFace models are missing");
        pae::test::isolateUserFiles(m_cache);
        pae::ModelPaths paths;
        paths.device = "cpu";
        m_models = pae::ModelSet::load(paths);
        QVERIFY(m_models);
    }

    void shouldRenderTheSeedsFace()
    {
        FaceRenderer renderer;
        QSignalSpy rendered(&renderer, &FaceRenderer::rendered);
        const quint64 id = renderer.request(m_models, seedRequest(7));
        QVERIFY(renderer.isBusy());
        QVERIFY(rendered.wait(kTimeoutMs));
        QVERIFY(!renderer.isBusy());
        QCOMPARE(rendered.first().at(0).toULongLong(), id);
        const auto result = rendered.first().at(1).value<FaceResult>();
        QCOMPARE(int(result.latents.size()), 1);
        QCOMPARE(result.images.size(), 1);
        const pae::Latent expected = m_models->latentFromSeed(7);
        QCOMPARE(result.latents.front().values, expected.values);
        QCOMPARE(result.images.front(), toQImage(m_models->render(expected)));
    }

    void shouldRenderEveryLatentInOrder_whenGivenAList()
    {
        FaceRenderer renderer;
        QSignalSpy rendered(&renderer, &FaceRenderer::rendered);
        FaceRequest r = manyFaces(*m_models, 3);
        const std::vector<pae::Latent> latents = r.latents;
        renderer.request(m_models, std::move(r));
        QVERIFY(rendered.wait(kTimeoutMs));
        const auto result = rendered.first().at(1).value<FaceResult>();
        QCOMPARE(result.images.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(result.images[i], toQImage(m_models->render(latents[size_t(i)])));
    }

    // The user asks for a session (slow), then right away for a seed: the session must never
    // land on top of the seed's face, whichever finishes first.
    void shouldReportOnlyTheNewest_whenRequestsOverlap()
    {
        FaceRenderer renderer;
        QSignalSpy rendered(&renderer, &FaceRenderer::rendered);
        QSignalSpy failed(&renderer, &FaceRenderer::failed);
        renderer.request(m_models, manyFaces(*m_models, 50));
        renderer.request(m_models, seedRequest(3));
        const quint64 newest = renderer.request(m_models, seedRequest(4));
        QVERIFY(rendered.wait(kTimeoutMs));
        // Drained: requests run in turn, so one asked for now is answered only after every
        // earlier one ran; a stale answer would have arrived before it.
        const quint64 marker = renderer.request(m_models, seedRequest(6));
        QVERIFY(rendered.wait(kTimeoutMs));
        QCOMPARE(rendered.count(), 2);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(rendered.first().at(0).toULongLong(), newest);
        QCOMPARE(rendered.first().at(1).value<FaceResult>().latents.front().values, m_models->latentFromSeed(4).values);
        QCOMPARE(rendered.last().at(0).toULongLong(), marker);
    }

    void shouldReportNothing_whenCancelled()
    {
        FaceRenderer renderer;
        QSignalSpy rendered(&renderer, &FaceRenderer::rendered);
        QSignalSpy failed(&renderer, &FaceRenderer::failed);
        renderer.request(m_models, seedRequest(5));
        renderer.cancel();
        QVERIFY(!renderer.isBusy());
        QCOMPARE(rendered.count(), 0);
        // It still works afterwards, and the cancelled request is never answered: requests
        // run in turn, so its answer would have come before this one's.
        const quint64 after = renderer.request(m_models, seedRequest(5));
        QVERIFY(rendered.wait(kTimeoutMs));
        QCOMPARE(rendered.count(), 1);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(rendered.first().at(0).toULongLong(), after);
    }

    void shouldReportTheFileAndProblem_whenTheLatentFileIsBad()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.safetensors");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a safetensors file");
        f.close();
        FaceRenderer renderer;
        QSignalSpy failed(&renderer, &FaceRenderer::failed);
        FaceRequest r;
        r.kind = FaceRequest::Kind::LatentFile;
        r.path = path;
        const quint64 id = renderer.request(m_models, r);
        QVERIFY(failed.wait(kTimeoutMs));
        QCOMPARE(failed.first().at(0).toULongLong(), id);
        QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("broken.safetensors")),
                 qPrintable(failed.first().at(1).toString()));
        QVERIFY(!renderer.isBusy());
    }

    void shouldKeepTheEventLoopResponsive_whileRendering()
    {
        FaceRenderer renderer;
        QSignalSpy rendered(&renderer, &FaceRenderer::rendered);
        QElapsedTimer clock;
        QTimer tick;
        tick.setTimerType(Qt::PreciseTimer);
        tick.setInterval(10);
        qint64 worst = 0;
        int ticks = 0;
        connect(&tick, &QTimer::timeout, this, [&] {
            if (clock.isValid())
                worst = std::max(worst, clock.elapsed() - 10);
            ++ticks;
            clock.restart();
        });
        FaceRequest r = manyFaces(*m_models, 120);
        QElapsedTimer took;
        took.start();
        tick.start();
        renderer.request(m_models, std::move(r));
        QVERIFY(rendered.wait(kTimeoutMs));
        tick.stop();
        qInfo() << "rendering 120 faces took" << took.elapsed() << "ms (" << ticks
                << "ticks); worst event-loop lateness" << worst << "ms";
        QVERIFY2(ticks >= 10, "the render was too short to measure anything");
        if (pae::test::kTimingChecks)
            QVERIFY2(worst < 50, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(worst)));
    }

private:
    QTemporaryDir m_cache;
    std::shared_ptr<pae::ModelSet> m_models;
};

QTEST_GUILESS_MAIN(TestFaceRenderer)
#include "tst_facerenderer.moc"
