// GAN inversion on the built-in SynthFace models: a face of the generator comes back,
// a render of the world comes back close, bad requests are refused by field, cancel stops,
// a non-square image is centre-cropped, and `pae-cli invert` writes a latent `edit` opens.
#include "core/edit/inversion.h"
#include "core/edit/model_set.h"
#include "core/edit/model_set_impl.h"
#include "core/io/image.h"
#include "core/synthface/renderer.h"
#include "core/util/error.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>

namespace {

// PSNR of two equal-size images, in dB.
double psnr(const pae::ImageRGB& a, const pae::ImageRGB& b)
{
    double sum = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        const double d = (double(a.pixels[i]) - double(b.pixels[i])) / 255.0;
        sum += d * d;
    }
    return -10.0 * std::log10(std::max(sum / double(a.pixels.size()), 1e-12));
}

pae::ImageRGB crop(const pae::ImageRGB& image, int x0, int y0, int w, int h)
{
    pae::ImageRGB out{w, h, std::vector<uint8_t>(size_t(w) * size_t(h) * 3)};
    for (int y = 0; y < h; ++y)
        std::copy_n(&image.pixels[(size_t(y0 + y) * image.width + x0) * 3], size_t(w) * 3,
                    &out.pixels[size_t(y) * w * 3]);
    return out;
}

} // namespace

class TestInversion : public QObject {
    Q_OBJECT
    std::shared_ptr<pae::ModelSet> m_models;

    pae::InversionRequest request(const pae::ImageRGB& image, int steps)
    {
        pae::InversionRequest r;
        r.image = image;
        r.steps = steps;
        r.starts = 16;
        r.previewEvery = 0;
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        pae::ModelPaths paths; // the built-in models
        paths.device = "cpu";
        m_models = pae::ModelSet::load(paths);
    }

    void shouldReproduceAFaceOfTheGenerator_andItsLatentRendersTheSame()
    {
        const pae::ImageRGB face = m_models->render(m_models->latentFromSeed(11));
        int previews = 0, lastStep = 0;
        float lastPsnr = 0;
        pae::InversionCallbacks callbacks;
        callbacks.preview = [&](int, const pae::ImageRGB& frame) {
            QCOMPARE(frame.width, face.width);
            ++previews;
        };
        callbacks.progress = [&](const pae::InversionProgress& p) {
            QCOMPARE(p.step, lastStep + 1);
            lastStep = p.step;
            lastPsnr = p.psnr;
        };
        pae::InversionRequest r = request(face, 300);
        // The default 64 starts: from 16, descent found the right basin for seed 11 on the
        // generator shipped before but not on the current one (25.6 dB; with 64, 57.6 dB).
        r.starts = pae::InversionRequest{}.starts;
        r.previewEvery = 100;
        const pae::InversionResult result = pae::InversionJob(m_models).run(r, callbacks);
        QVERIFY2(result.stopReason.empty(), result.stopReason.c_str());
        QCOMPARE(result.stepsRun, 300);
        QCOMPARE(lastStep, 300);
        QCOMPARE(previews, 4); // steps 0, 100, 200 and the result
        QVERIFY(!result.cropped);
        QCOMPARE(result.resolution, face.width);
        // The generator drew this face, so an exact answer exists; 8-bit rounding of the input
        // alone would allow about 59 dB.
        qInfo("a face of the generator: %.2f dB after %d steps", double(result.psnr), result.stepsRun);
        QVERIFY2(result.psnr > 30.0f, qPrintable(QString::number(result.psnr)));
        QVERIFY(std::abs(lastPsnr - result.psnr) < 1.0f);
        const pae::ImageRGB again = m_models->render(result.latent);
        QVERIFY2(psnr(again, result.image) > 45.0, "the latent does not render the image the job returned");
        // The reported PSNR is what the latent renders: within half a dB, or both past 50 dB,
        // where a few pixels' 8-bit rounding moves the figure by more than that.
        const double rendered = psnr(again, face);
        QVERIFY2(std::abs(rendered - result.psnr) < 0.5 || std::min(rendered, double(result.psnr)) > 50.0,
                 qPrintable(QString::number(rendered)));
    }

    void shouldComeCloseToARenderOfTheWorld_thatNoLatentWasMadeFrom()
    {
        const pae::ImageRGB render = pae::synthface::render(pae::synthface::sampleAttributes(77), 64);
        const pae::InversionResult result = pae::InversionJob(m_models).run(request(render, 150));
        qInfo("a render of the world: %.2f dB after %d steps", double(result.psnr), result.stepsRun);
        QVERIFY2(result.psnr > 22.0f, qPrintable(QString::number(result.psnr)));
        QVERIFY(std::abs(psnr(result.image, render) - result.psnr) < 0.5);
    }

    // The two optional terms do what they say: the mean-latent pull keeps W+ nearer the
    // generator's mean, the perceptual term brings CLIP's view of the result nearer the photo's.
    void shouldPullTowardsTheMean_andTowardsWhatClipSees()
    {
        const pae::ImageRGB render = pae::synthface::render(pae::synthface::sampleAttributes(78), 64);
        pae::InversionRequest plain = request(render, 60);
        const auto base = pae::InversionJob(m_models).run(plain);
        pae::InversionRequest pulled = plain;
        pulled.meanWeight = 1.0f;
        const auto toMean = pae::InversionJob(m_models).run(pulled);
        const pae::Latent mean = m_models->latentFromSeed(0, 0.0f); // ψ = 0: the mean latent in every row
        const auto distance = [&](const pae::Latent& l) {
            double sum = 0;
            for (size_t i = 0; i < l.values.size(); ++i)
                sum += double(l.values[i] - mean.values[i]) * double(l.values[i] - mean.values[i]);
            return sum;
        };
        qInfo("W+ distance from the mean: %.2f plain, %.2f with --mean-reg 1", distance(base.latent),
              distance(toMean.latent));
        QVERIFY(distance(toMean.latent) < 0.8 * distance(base.latent));
        pae::InversionRequest seen = plain;
        seen.perceptualWeight = 1.0f;
        const auto perceptual = pae::InversionJob(m_models).run(seen);
        const auto clipCos = [&](const pae::ImageRGB& image) {
            torch::NoGradGuard noGrad;
            const auto& M = pae::detail::implOf(*m_models);
            const auto embed = [&](const pae::ImageRGB& i) {
                return M.embedGeneratorImages(pae::io::imageToTensor(i).to(M.device) * 2.0 - 1.0);
            };
            return torch::cosine_similarity(embed(image), embed(render), -1).item<double>();
        };
        qInfo("CLIP cosine to the render: %.4f plain, %.4f with --perceptual 1 (PSNR %.2f / %.2f dB)",
              clipCos(base.image), clipCos(perceptual.image), double(base.psnr), double(perceptual.psnr));
        QVERIFY(clipCos(perceptual.image) > clipCos(base.image));
    }

    void shouldBeDeterministic()
    {
        const pae::ImageRGB face = m_models->render(m_models->latentFromSeed(12));
        const auto a = pae::InversionJob(m_models).run(request(face, 20));
        const auto b = pae::InversionJob(m_models).run(request(face, 20));
        QCOMPARE(a.latent.values, b.latent.values);
    }

    void shouldCentreCropANonSquareImage()
    {
        const pae::ImageRGB face = m_models->render(m_models->latentFromSeed(13));
        // The face with a 16-pixel band of grey on each side.
        pae::ImageRGB wide{face.width + 32, face.height,
                           std::vector<uint8_t>(size_t(face.width + 32) * face.height * 3, 128)};
        for (int y = 0; y < face.height; ++y)
            std::copy_n(&face.pixels[size_t(y) * face.width * 3], size_t(face.width) * 3,
                        &wide.pixels[(size_t(y) * wide.width + 16) * 3]);
        QCOMPARE(psnr(crop(wide, 16, 0, face.width, face.height), face), 120.0); // the crop is the face
        const auto result = pae::InversionJob(m_models).run(request(wide, 60));
        QVERIFY(result.cropped);
        QCOMPARE(result.image.width, face.width);
        QCOMPARE(result.image.height, face.height);
        qInfo("the centre of a wide image: %.2f dB", double(result.psnr));
        QVERIFY2(result.psnr > 30.0f, qPrintable(QString::number(result.psnr)));
    }

    void shouldStopWithinAStep_whenCancelled()
    {
        const pae::ImageRGB face = m_models->render(m_models->latentFromSeed(14));
        int polls = 0;
        pae::InversionCallbacks callbacks;
        callbacks.cancelRequested = [&] { return ++polls > 5; };
        const auto result = pae::InversionJob(m_models).run(request(face, 100), callbacks);
        QVERIFY(result.cancelled);
        QCOMPARE(result.stepsRun, 5);
        QVERIFY(!result.latent.empty());
        QCOMPARE(result.image.width, face.width);
    }

    void shouldRefuseABadRequest_namingTheField_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("empty image") << "image";
        QTest::newRow("tiny image") << "image";
        QTest::newRow("no steps") << "steps";
        QTest::newRow("no starts") << "starts";
        QTest::newRow("w share above 1") << "w-share";
        QTest::newRow("zero learning rate") << "lr";
        QTest::newRow("negative perceptual weight") << "perceptual";
        QTest::newRow("NaN mean weight") << "mean-reg";
    }

    void shouldRefuseABadRequest_namingTheField()
    {
        QFETCH(QString, field);
        pae::InversionRequest r = request(m_models->render(m_models->latentFromSeed(1)), 10);
        const QString row = QTest::currentDataTag();
        if (row == "empty image")
            r.image = {};
        else if (row == "tiny image")
            r.image = pae::ImageRGB{8, 8, std::vector<uint8_t>(8 * 8 * 3, 0)};
        else if (row == "no steps")
            r.steps = -1;
        else if (row == "no starts")
            r.starts = 0;
        else if (row == "w share above 1")
            r.wShare = 1.5f;
        else if (row == "negative perceptual weight")
            r.perceptualWeight = -1.f;
        else if (row == "NaN mean weight")
            r.meanWeight = std::nanf("");
        else
            r.learningRate = 0;
        try {
            pae::InversionJob(m_models).run(r);
            QFAIL("no error");
        } catch (const pae::UsageError& e) {
            QVERIFY2(QString(e.what()).startsWith(field + ":"), e.what());
        }
    }

    void shouldWriteALatentThatEditOpens_fromTheCommandLine()
    {
        QTemporaryDir dir;
        const QString image = dir.filePath("face.png");
        pae::io::writeImage(pae::synthface::render(pae::synthface::sampleAttributes(5), 96), image.toStdString());
        QProcess cli;
        cli.start(PAE_CLI_PATH, {"invert", "--image", image, "--latent-out", dir.filePath("face.safetensors"), "--out",
                                 dir.filePath("back.png"), "--steps", "40", "--starts", "8", "--json"});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const QByteArray out = cli.readAllStandardOutput();
        QVERIFY2(out.contains("\"psnr_db\"") && out.contains("\"resolution\": 64"), out.constData());
        QCOMPARE(pae::io::readImage(dir.filePath("back.png").toStdString()).width, 64);

        cli.start(PAE_CLI_PATH, {"edit", "--latent", dir.filePath("face.safetensors"), "--prompt", "a happy face",
                                 "--steps", "5", "--out", dir.filePath("edited.png")});
        QVERIFY(cli.waitForFinished(120000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        QVERIFY(QFileInfo::exists(dir.filePath("edited.png")));

        cli.start(PAE_CLI_PATH,
                  {"invert", "--image", dir.filePath("missing.png"), "--latent-out", dir.filePath("x.safetensors")});
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitCode(), 1);
        const QByteArray err = cli.readAllStandardError();
        QVERIFY2(err.contains("missing.png"), err.constData());
        QVERIFY(!QFileInfo::exists(dir.filePath("x.safetensors")));
    }
};

QTEST_GUILESS_MAIN(TestInversion)
#include "tst_inversion.moc"
