// pae-cli edit, sweep and bench end to end on the tiny fixture models.
#include "TestSupport.h"
#include "core/io/safetensors.h"

#include <nlohmann/json.hpp>

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

namespace {

class TestCliEdit : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }
    using Result = pae::test::CliResult;
    Result run(const QStringList& args)
    {
        return pae::test::runCli(args, pae::test::CliOptions::cachedIn(m_dir.filePath("cache")));
    }

    static QStringList models()
    {
        return {"--clip",      PAE_TEST_DATA_DIR "/tiny-clip",
                "--generator", PAE_TEST_DATA_DIR "/tiny-stylegan2/generator.pt",
                "--device",    "cpu"};
    }

private Q_SLOTS:
    void shouldWriteImageLatentAndMetrics_whenEditing()
    {
        const Result r = run(QStringList{"edit"} + models() + QStringList{"--seed",          "3",
                                                                          "--prompt",        "a happy face",
                                                                          "--corpus",        "emotion",
                                                                          "--steps",         "8",
                                                                          "--lambda",        "5",
                                                                          "--out",           path("edit.png"),
                                                                          "--latent-out",    path("edit.safetensors"),
                                                                          "--metrics-out",   path("edit.json"),
                                                                          "--preview-dir",   path("previews"),
                                                                          "--preview-every", "4"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QImage image(path("edit.png"));
        QCOMPARE(image.size(), QSize(32, 32));
        const auto latent = pae::io::loadSafetensors(path("edit.safetensors").toStdString());
        QCOMPARE(latent.at("w").dim(), 3);
        std::ifstream in(path("edit.json").toStdString());
        const auto metrics = nlohmann::json::parse(in);
        QCOMPARE(metrics["steps_run"].get<int>(), 8);
        QCOMPARE(metrics["settings"]["target"].get<std::string>(), std::string("pae+"));
        QCOMPARE(metrics["per_lambda"].size(), size_t(1));
        QCOMPARE(metrics["per_lambda"][0]["lambda"].get<float>(), 5.0f);
        QVERIFY(metrics["per_lambda"][0].contains("clip_cosine_to_target"));
        QVERIFY(QDir(path("previews")).entryList({"*.png"}).size() >= 2);
        // Not a terminal: plain progress lines, no carriage returns.
        QVERIFY(r.err.contains("step 8/8"));
        QVERIFY(!r.err.contains('\r'));
    }

    // A corpus's header sets the rows, space and target of its edits; the command line overrides them;
    // rows the generator lacks are refused naming the file and line, and nothing is written.
    void shouldTakeRowsSpaceAndTargetFromTheCorpusHeader()
    {
        QFile corpus(path("rows.txt"));
        QVERIFY(corpus.open(QIODevice::WriteOnly));
        // Enough prompts for the default PCA's 10 components.
        const QByteArray prompts = "happy\nsad\nangry\nsurprised\ncalm\nscared\njoyful\ngloomy\nfurious\nshocked\n"
                                   "smiling\nfrowning\n";
        corpus.write("# template: a {} face\n# layers: 1-2\n# space: w\n# target: pae+corpus\n" + prompts);
        corpus.close();
        const QStringList edit = QStringList{"edit"} + models() +
                                 QStringList{"--seed",         "3",       "--prompt", "a happy face", "--corpus",
                                             path("rows.txt"), "--steps", "2",        "--out",        path("rows.png")};
        auto settingsOf = [&](const QStringList& more) {
            QFile::remove(path("rows.png"));
            const Result r = run(edit + more + QStringList{"--metrics-out", path("rows.json")});
            if (r.exitCode != 0)
                qWarning("%s", qPrintable(r.err));
            std::ifstream in(path("rows.json").toStdString());
            const auto j = nlohmann::json::parse(in)["settings"];
            QFile::remove(path("rows.json"));
            return j;
        };
        auto s = settingsOf({});
        QCOMPARE(s["layers"], nlohmann::json({1, 2}));
        QCOMPARE(s["space"].get<std::string>(), std::string("w"));
        QCOMPARE(s["target"].get<std::string>(), std::string("pae+corpus"));
        s = settingsOf({"--layers", "all", "--space", "w+", "--target", "pae+"});
        QCOMPARE(s["layers"], nlohmann::json::array());
        QCOMPARE(s["space"].get<std::string>(), std::string("w+"));
        QCOMPARE(s["target"].get<std::string>(), std::string("pae+"));
        QVERIFY(corpus.open(QIODevice::WriteOnly));
        corpus.write("# template: a {} face\n\n# layers: 6-40\n" + prompts);
        corpus.close();
        QFile::remove(path("rows.png"));
        const Result bad = run(edit);
        QCOMPARE(bad.exitCode, 1); // a bad file, as the corpus's other errors
        QVERIFY2(bad.err.contains(path("rows.txt") + ":3: layers: '6-40': row 40 is outside the latent's"),
                 qPrintable(bad.err));
        QVERIFY(!QFile::exists(path("rows.png")));
    }

    void shouldWriteALabelledGrid_whenSweeping()
    {
        const Result r = run(QStringList{"sweep"} + models() +
                             QStringList{"--seed", "3", "--prompt", "a sad face", "--steps", "4", "--lambdas", "1,4,8",
                                         "--out", path("grid.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QImage grid(path("grid.png"));
        QVERIFY(!grid.isNull());
        // Source + 3 λ columns of 32 px with 4 px gaps; a label strip on top.
        QCOMPARE(grid.width(), 4 * 32 + 3 * 4);
        QVERIFY(grid.height() > 32);
        QCOMPARE(r.out.count("lambda "), 3);
    }

    void shouldLoadALatentFile_asTheFaceSource()
    {
        const Result first = run(QStringList{"edit"} + models() +
                                 QStringList{"--seed", "5", "--prompt", "a happy face", "--steps", "2", "--out",
                                             path("a.png"), "--latent-out", path("a.safetensors")});
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const Result second = run(QStringList{"edit"} + models() +
                                  QStringList{"--latent", path("a.safetensors"), "--prompt", "blonde hair", "--corpus",
                                              "hair-colour", "--steps", "2", "--out", path("b.png")});
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));
        QVERIFY2(!second.err.contains("warning"), qPrintable(second.err));

        // The file records the generator's weights; the same latent marked as saved from a
        // generator of the same shape with other weights (a retrained one) loads with a
        // warning naming it: it draws another face here.
        const auto meta = pae::io::SafetensorsFile(path("a.safetensors").toStdString()).metadata();
        QCOMPARE(meta.at("generator_hash").size(), size_t(16));
        auto retrainedMeta = meta;
        retrainedMeta["generator_hash"] = "feedfacefeedface";
        pae::io::saveSafetensors(path("a-retrained.safetensors").toStdString(),
                                 pae::io::loadSafetensors(path("a.safetensors").toStdString()), retrainedMeta);
        const Result third = run(QStringList{"edit"} + models() +
                                 QStringList{"--latent", path("a-retrained.safetensors"), "--prompt", "a happy face",
                                             "--steps", "2", "--out", path("c.png")});
        QVERIFY2(third.exitCode == 0, qPrintable(third.err));
        QVERIFY2(third.err.contains("warning: " + path("a-retrained.safetensors") + ": saved from another generator") &&
                     third.err.contains("feedfacefeedface") &&
                     third.err.contains(QString::fromStdString(meta.at("generator_hash"))),
                 qPrintable(third.err));
    }

    void shouldReportOneJsonObject_whenBenchmarking()
    {
        const Result r = run(QStringList{"bench"} + models() + QStringList{"--steps", "1", "--lambdas", "2", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        for (const char* key : {"full_ms_per_step", "clip_ms_per_step", "sweep_ms_per_step",
                                "sweep_batched_ms_per_step", "sweep_in_turn_ms_per_step", "render_ms",
                                "render_preview_ms", "invert_ms_per_step", "invert_perceptual_ms_per_step"})
            QVERIFY2(j.contains(key) && j[key].get<double>() > 0, key);
        QCOMPARE(j["lambdas"].get<int>(), 2);
        // The tiny models are small: on CPU their λ run batched, and the reported sweep is that one.
        QCOMPARE(QString::fromStdString(j["sweep_strategy"].get<std::string>()), QStringLiteral("batched"));
        QCOMPARE(j["sweep_ms_per_step"].get<double>(), j["sweep_batched_ms_per_step"].get<double>());
        // No identity model: no identity term in the timed steps.
        QCOMPARE(j["identity_term"].get<bool>(), false);
        QCOMPARE(j["full"]["identity_ms"].get<double>(), 0.0);
    }

    // With an identity model the timed steps are the edit's: the identity term is in them.
    void shouldTimeTheIdentityTerm_whenBenchmarkingWithAnIdentityModel()
    {
        const Result r = run(
            QStringList{"bench"} + models() +
            QStringList{"--arcface", PAE_TEST_DATA_DIR "/tiny-arcface/model_ir_se50.pth", "--steps", "1", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["identity_term"].get<bool>(), true);
        for (const char* mode : {"full", "clip", "sweep"})
            QVERIFY2(j[mode]["identity_ms"].get<double>() > 0, mode);
    }

    // An edit saved as a preset and applied again: strength 1 is the edit's own result,
    // strength 0 the untouched face, and the metadata prints as JSON.
    void shouldReproduceTheEdit_whenItsPresetIsApplied()
    {
        Result r = run(QStringList{"edit"} + models() +
                       QStringList{"--seed", "3", "--prompt", "a happy face", "--corpus", "emotion", "--steps", "6",
                                   "--out", path("p-edit.png"), "--preset-out", path("happy.preset")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = run(QStringList{"apply"} + models() +
                QStringList{"--preset", path("happy.preset"), "--seed", "3", "--out", path("p-apply.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QImage edit = QImage(path("p-edit.png")).convertToFormat(QImage::Format_RGB888);
        const QImage applied = QImage(path("p-apply.png")).convertToFormat(QImage::Format_RGB888);
        QCOMPARE(applied.size(), edit.size());
        int worst = 0;
        for (int y = 0; y < edit.height(); ++y)
            for (int x = 0; x < edit.width() * 3; ++x)
                worst = std::max(worst, std::abs(int(edit.constScanLine(y)[x]) - int(applied.constScanLine(y)[x])));
        QVERIFY2(worst <= 1, qPrintable(QString("applied preset differs from the edit by %1/255").arg(worst)));

        r = run(QStringList{"apply"} + models() +
                QStringList{"--preset", path("happy.preset"), "--strength", "0", "--seed", "3", "--out",
                            path("p-zero.png"), "--latent-out", path("p-zero.safetensors")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // Strength 0 is exactly the face the edit started from (the preset keeps it as "source").
        const auto zero = pae::io::loadSafetensors(path("p-zero.safetensors").toStdString()).at("w").flatten();
        const auto source = pae::io::loadSafetensors(path("happy.preset").toStdString()).at("source").flatten();
        QVERIFY(zero.equal(source));

        r = run({"preset", "info", path("happy.preset")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto info = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(QString::fromStdString(info.at("prompt").get<std::string>()), QStringLiteral("a happy face"));
        QCOMPARE(info.at("lambda").get<float>(), 8.f);
        QCOMPARE(info.at("generator_hash").get<std::string>().size(), size_t(16));
        QVERIFY2(!r.err.contains("warning"), qPrintable(r.err));

        // The same preset as if made on a generator of the same shape with other weights (a
        // retrained one): it applies, with a warning naming the file and both weights.
        {
            auto tensors = pae::io::loadSafetensors(path("happy.preset").toStdString());
            auto meta = pae::io::SafetensorsFile(path("happy.preset").toStdString()).metadata();
            meta["generator_hash"] = "feedfacefeedface";
            pae::io::saveSafetensors(path("retrained.preset").toStdString(), tensors, meta);
        }
        r = run(QStringList{"apply"} + models() +
                QStringList{"--preset", path("retrained.preset"), "--seed", "3", "--out", path("p-retrained.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("warning: " + path("retrained.preset") + ": made with another generator") &&
                     r.err.contains("feedfacefeedface") &&
                     r.err.contains(QString::fromStdString(info.at("generator_hash").get<std::string>())),
                 qPrintable(r.err));

        // Refine on this face: the preset, then a short optimization of its prompt from there.
        r = run(QStringList{"apply"} + models() +
                QStringList{"--preset", path("happy.preset"), "--seed", "5", "--refine", "3", "--out",
                            path("p-refined.png"), "--latent-out", path("p-refined.safetensors")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("3 optimization steps"), qPrintable(r.out));
        r = run(QStringList{"apply"} + models() +
                QStringList{"--preset", path("happy.preset"), "--seed", "5", "--out", path("p-plain.png"),
                            "--latent-out", path("p-plain.safetensors")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto refined = pae::io::loadSafetensors(path("p-refined.safetensors").toStdString()).at("w");
        const auto plain = pae::io::loadSafetensors(path("p-plain.safetensors").toStdString()).at("w");
        QVERIFY2(!refined.equal(plain), "the refinement changed nothing");
        // It starts from the applied preset: three small steps stay near it.
        QVERIFY((refined - plain).abs().max().item<double>() < 1.0);
        r = run(QStringList{"apply"} + models() +
                QStringList{"--preset", path("happy.preset"), "--preset", path("happy.preset"), "--seed", "5",
                            "--refine", "3", "--out", path("p-two.png")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("exactly one --preset"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(path("p-two.png")));

        // A sweep writes one preset per λ into a folder.
        r = run(QStringList{"sweep"} + models() +
                QStringList{"--seed", "3", "--prompt", "a happy face", "--corpus", "emotion", "--steps", "4",
                            "--lambdas", "2,5", "--out", path("p-grid.png"), "--preset-out", path("presets")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFileInfo::exists(path("presets/lambda-2.preset")) &&
                QFileInfo::exists(path("presets/lambda-5.preset")));
    }

    void shouldRefuseAPresetOfAnotherGenerator()
    {
        // Made on the built-in SynthFace generator, applied on the tiny fixture generator.
        Result r = run({"edit", "--seed", "3", "--prompt", "a happy face", "--corpus", "emotion", "--steps", "2",
                        "--out", path("b-edit.png"), "--preset-out", path("builtin.preset")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = run(QStringList{"apply"} + models() +
                QStringList{"--preset", path("builtin.preset"), "--seed", "3", "--out", path("b-apply.png")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error: ") && r.err.contains("builtin.preset") && r.err.contains("takes"),
                 qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(path("b-apply.png")));
    }

    void shouldFailWithOneErrorLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("mentions");
        const QStringList m = models();
        QTest::newRow("unknown corpus") << (QStringList{"edit"} + m +
                                            QStringList{"--seed", "1", "--prompt", "x", "--corpus", "nope", "--out",
                                                        "o.png"})
                                        << 1 << "nope";
        QTest::newRow("bad target") << (QStringList{"edit"} + m +
                                        QStringList{"--seed", "1", "--prompt", "x", "--target", "best", "--out",
                                                    "o.png"})
                                    << 2 << "best";
        QTest::newRow("bad lambdas") << (QStringList{"sweep"} + m +
                                         QStringList{"--seed", "1", "--prompt", "x", "--lambdas", "1,x", "--out",
                                                     "o.png"})
                                     << 2 << "'x'";
        QTest::newRow("missing clip folder") << QStringList{"edit",
                                                            "--clip",
                                                            "/nonexistent/clip",
                                                            "--generator",
                                                            PAE_TEST_DATA_DIR "/tiny-stylegan2/generator.pt",
                                                            "--seed",
                                                            "1",
                                                            "--prompt",
                                                            "x",
                                                            "--out",
                                                            "o.png"}
                                             << 1 << "/nonexistent/clip";
        QTest::newRow("no face source") << (QStringList{"edit"} + m + QStringList{"--prompt", "x", "--out", "o.png"})
                                        << 2 << "";
        QTest::newRow("steps out of range")
            << (QStringList{"edit"} + m + QStringList{"--seed", "1", "--prompt", "x", "--steps", "0", "--out", "o.png"})
            << 2 << "steps";
    }

    void shouldFailWithOneErrorLine()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, mentions);
        const Result r = run(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.startsWith("error: "), qPrintable(r.err));
        QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
        QVERIFY(!r.err.contains("terminate called"));
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestCliEdit)
#include "tst_cli_edit.moc"
