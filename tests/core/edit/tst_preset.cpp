// Presets: Δw round-trips through its file, applies at any strength, refuses a face of
// another generator with a message naming both shapes, and says when it was made with a
// generator of the same shape but other weights.
#include "core/edit/preset.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace pae;

namespace {

Latent latent(int rows, int width, float base)
{
    Latent l;
    l.numLatents = rows;
    l.styleDim = width;
    for (int i = 0; i < rows * width; ++i)
        l.values.push_back(base + 0.01f * float(i % 17));
    return l;
}

EditPreset preset(const Latent& source, const Latent& result)
{
    EditPreset p;
    p.name = "a happy face (λ 8)";
    p.prompt = "a happy face";
    p.corpus = "emotion";
    p.target = "pae+";
    p.lambda = 8;
    p.settings = R"({"steps":200})";
    p.generator = "test generator";
    p.generatorHash = "0123456789abcdef";
    p.source = source;
    p.delta = editDelta(source, result);
    return p;
}

} // namespace

class TestPreset : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void shouldReproduceTheEdit_atStrengthOne_andTheSource_atZero()
    {
        const Latent w0 = latent(4, 6, 0.5f), w1 = latent(4, 6, -0.25f);
        const EditPreset p = preset(w0, w1);
        const Latent one = applyPresets(w0, {&p}, {1.f});
        for (size_t i = 0; i < one.values.size(); ++i)
            QVERIFY(std::abs(one.values[i] - w1.values[i]) < 1e-6f);
        QCOMPARE(applyPresets(w0, {&p}, {0.f}).values, w0.values);
        QCOMPARE(scaleEdit(w0, w1, 0.f).values, w0.values);
        const Latent half = scaleEdit(w0, w1, 0.5f);
        QVERIFY(std::abs(half.values[3] - 0.5f * (w0.values[3] + w1.values[3])) < 1e-6f);
        // Mixing: two presets add.
        const Latent w2 = latent(4, 6, 2.f);
        const EditPreset q = preset(w0, w2);
        const Latent mixed = applyPresets(w0, {&p, &q}, {1.f, 0.5f});
        QVERIFY(std::abs(mixed.values[5] - (w0.values[5] + p.delta.values[5] + 0.5f * q.delta.values[5])) < 1e-5f);
    }

    void shouldRefineFromThePresetOnTheFace_withThePresetsOwnSettings()
    {
        const Latent w0 = latent(4, 6, 0.5f), w1 = latent(4, 6, -0.25f);
        EditPreset p = preset(w0, w1);
        p.settings = R"({"steps":200,"lr":0.05,"l2_weight":0.3,"basis":"gram-schmidt","pca_k":7,"resolution":"full"})";
        const Latent face = latent(4, 6, 1.5f);
        EditRequest base = EditRequest::defaults();
        base.previewEvery = 0;
        const EditRequest r = refineRequest(p, face, 0.5f, 30, base);
        QCOMPARE(r.source.values, face.values);
        QCOMPARE(r.start.values, applyPresets(face, {&p}, {0.5f}).values);
        QCOMPARE(r.prompt, std::string("a happy face"));
        QCOMPARE(r.corpus, std::string("emotion"));
        QVERIFY(r.target == TargetKind::PaePlus);
        QCOMPARE(r.lambdas, std::vector<float>{8.f});
        QCOMPARE(r.steps, 30);
        QCOMPARE(r.learningRate, 0.05f);
        QCOMPARE(r.l2Weight, 0.3f);
        QVERIFY(r.basis == BasisKind::GramSchmidt);
        QCOMPARE(r.pcaComponents, 7);
        QVERIFY(r.resolution == ResolutionMode::Full);
        QCOMPARE(r.previewEvery, 0); // from base

        p.settings = R"({"lr":"fast"})";
        QVERIFY_THROWS_EXCEPTION(UsageError, refineRequest(p, face, 1.f, 30, base));
        p.settings = "[1,2]";
        QVERIFY_THROWS_EXCEPTION(UsageError, refineRequest(p, face, 1.f, 30, base));
        p.settings = "{}";
        QVERIFY_THROWS_EXCEPTION(UsageError, refineRequest(p, face, 1.f, 0, base)); // steps
    }

    void shouldRoundTripThroughItsFile()
    {
        const EditPreset p = preset(latent(4, 6, 0.5f), latent(4, 6, 1.5f));
        const QString path = m_dir.filePath("happy.preset");
        savePreset(p, path.toStdString());
        const EditPreset back = loadPreset(path.toStdString());
        QCOMPARE(back.name, p.name);
        QCOMPARE(back.prompt, p.prompt);
        QCOMPARE(back.corpus, p.corpus);
        QCOMPARE(back.target, p.target);
        QCOMPARE(back.lambda, p.lambda);
        QCOMPARE(back.generator, p.generator);
        QCOMPARE(back.generatorHash, p.generatorHash);
        QCOMPARE(back.delta.values, p.delta.values);
        QCOMPARE(back.source.values, p.source.values);
        QVERIFY(QString::fromStdString(presetInfoJson(back)).contains("\"prompt\": \"a happy face\""));
    }

    void shouldRefuseAFaceOfAnotherGenerator_namingBothShapes()
    {
        const EditPreset p = preset(latent(18, 512, 0.f), latent(18, 512, 1.f));
        try {
            applyPresets(latent(10, 16, 0.f), {&p}, {1.f});
            QFAIL("a preset of another generator was applied");
        } catch (const Error& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains("18×512") && m.contains("10×16") && m.contains("a happy face"), qPrintable(m));
        }
    }

    // A retrained generator takes the same shapes: only the weights tell it apart.
    void shouldSayWhenMadeWithOtherWeights_andNothingWhenTheSameOrUnrecorded()
    {
        EditPreset p = preset(latent(4, 6, 0.5f), latent(4, 6, 1.5f));
        QCOMPARE(presetGeneratorMismatch(p, "0123456789abcdef"), std::string());
        const QString m = QString::fromStdString(presetGeneratorMismatch(p, "fedcba9876543210"));
        QVERIFY2(m.contains("another generator") && m.contains("test generator") && m.contains("0123456789abcdef") &&
                     m.contains("fedcba9876543210"),
                 qPrintable(m));

        // A preset saved before the weights were recorded: its file has no generator_hash.
        const QString path = m_dir.filePath("older.preset");
        savePreset(p, path.toStdString());
        auto tensors = io::loadSafetensors(path.toStdString());
        io::SafetensorsFile saved(path.toStdString());
        auto meta = saved.metadata();
        QCOMPARE(meta.erase("generator_hash"), size_t(1));
        io::saveSafetensors(path.toStdString(), tensors, meta);
        const EditPreset older = loadPreset(path.toStdString());
        QCOMPARE(older.generatorHash, std::string());
        QCOMPARE(presetGeneratorMismatch(older, "fedcba9876543210"), std::string());
    }

    void shouldNameTheFileAndField_whenAPresetIsBroken()
    {
        const QString latentOnly = m_dir.filePath("latent.preset");
        io::saveSafetensors(latentOnly.toStdString(), {{"w", torch::zeros({4, 6})}}, {{"format", "pae-studio latent"}});
        try {
            loadPreset(latentOnly.toStdString());
            QFAIL("a latent file was read as a preset");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(latentOnly) && QString(e.what()).contains("format"), e.what());
        }
        const QString nan = m_dir.filePath("nan.preset");
        EditPreset p = preset(latent(2, 3, 0.f), latent(2, 3, 1.f));
        savePreset(p, nan.toStdString());
        auto tensors = io::loadSafetensors(nan.toStdString());
        tensors["delta"][0][0] = std::nanf("");
        io::SafetensorsFile original(nan.toStdString());
        io::saveSafetensors(nan.toStdString(), tensors, original.metadata());
        try {
            loadPreset(nan.toStdString());
            QFAIL("a preset holding NaN was read");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("delta") && QString(e.what()).contains("NaN"), e.what());
        }
    }
};

QTEST_MAIN(TestPreset)
#include "tst_preset.moc"
