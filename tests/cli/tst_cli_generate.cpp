#include "TestSupport.h"
#include "core/io/safetensors.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest/QtTest>

#include <fstream>

namespace {

const QString kGenerator = QStringLiteral(PAE_TEST_DATA_DIR "/tiny-stylegan2/generator.pt");

torch::Tensor expected(const std::string& name)
{
    static const nlohmann::json j = [] {
        std::ifstream in(std::string(PAE_TEST_DATA_DIR) + "/tiny-stylegan2/expected.json");
        return nlohmann::json::parse(in);
    }();
    const auto& e = j.at(name);
    return torch::tensor(e.at("data").get<std::vector<float>>()).reshape(e.at("shape").get<std::vector<int64_t>>());
}

using Result = pae::test::CliResult;
Result run(const QStringList& args) { return pae::test::runCli(args); }

// Width and height from a PNG's IHDR chunk.
QSize pngSize(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray b = f.read(24);
    if (b.size() < 24 || !b.startsWith("\x89PNG"))
        return {};
    auto be = [&](int o) {
        return (uchar(b[o]) << 24) | (uchar(b[o + 1]) << 16) | (uchar(b[o + 2]) << 8) | uchar(b[o + 3]);
    };
    return QSize(int(be(16)), int(be(20)));
}

} // namespace

class TestCliGenerate : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void shouldWriteOneImage_fromASeed()
    {
        const auto r = run({"generate", "--generator", kGenerator, "--seed", "5", "--out", path("seed.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(pngSize(path("seed.png")), QSize(32, 32));
    }

    void shouldNumberTheImages_whenCountIsAbove1()
    {
        const auto r = run({"generate", "--generator", kGenerator, "--seed", "5", "--count", "2", "--truncation", "0.5",
                            "--out", path("many.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(pngSize(path("many-0.png")), QSize(32, 32));
        QCOMPARE(pngSize(path("many-1.png")), QSize(32, 32));
        QVERIFY(!QFile::exists(path("many.png")));
    }

    void shouldRenderTheReferenceImages_fromLatentFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("W+") << "wplus";
        QTest::newRow("W") << "w";
        QTest::newRow("z") << "z";
    }

    void shouldRenderTheReferenceImages_fromLatentFiles()
    {
        QFETCH(QString, kind);
        const auto latent = path("latent-" + kind + ".safetensors"), out = path("image-" + kind + ".safetensors");
        QStringList extra;
        torch::Tensor want;
        if (kind == "wplus") {
            pae::io::saveSafetensors(latent.toStdString(), {{"w", expected("wplus")}});
            want = expected("image_wplus");
        } else if (kind == "w") {
            // W is W+ with the same latent in every layer: the truncated z image, truncated here.
            pae::io::saveSafetensors(latent.toStdString(), {{"w", expected("w_of_z")}});
            extra = QStringList{"--truncation", "0.7"};
            want = expected("image_z_psi0.7");
        } else {
            pae::io::saveSafetensors(latent.toStdString(), {{"z", expected("z")}});
            extra = QStringList{"--truncation", "0.7"};
            want = expected("image_z_psi0.7");
        }
        const auto r = run(QStringList{"generate", "--generator", kGenerator, "--latent", latent, "--out",
                                       path("img-" + kind + ".png"), "--tensor-out", out} + extra);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto image = pae::io::loadSafetensors(out.toStdString()).at("image");
        QCOMPARE(image.sizes(), (at::IntArrayRef{2, 3, 32, 32}));
        QVERIFY2((image - want).abs().max().item<double>() < 1e-4, "the image differs from the reference");
        QCOMPARE(pngSize(path("img-" + kind + "-1.png")), QSize(32, 32));
    }

    void shouldFail_withAnErrorLine_forBadFiles()
    {
        QFile bad(path("bad.pt"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("this is not a checkpoint");
        bad.close();
        auto r = run({"generate", "--generator", path("bad.pt"), "--seed", "1", "--out", path("x.png")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error:") && r.err.contains("bad.pt"), qPrintable(r.err));

        pae::io::saveSafetensors(path("nolatent.safetensors").toStdString(), {{"q", torch::zeros({1, 32})}});
        r = run({"generate", "--generator", kGenerator, "--latent", path("nolatent.safetensors"), "--out", path("x.png")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error:") && r.err.contains("nolatent.safetensors"), qPrintable(r.err));

        pae::io::saveSafetensors(path("badshape.safetensors").toStdString(), {{"w", torch::zeros({1, 3, 32})}});
        r = run({"generate", "--generator", kGenerator, "--latent", path("badshape.safetensors"), "--out", path("x.png")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error:") && r.err.contains("\"w\""), qPrintable(r.err));
        QVERIFY(!QFile::exists(path("x.png")));
    }

    void shouldExitWith2_onUsageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no latent source") << QStringList{"generate", "--generator", kGenerator, "--out", "a.png"};
        QTest::newRow("both sources") << QStringList{"generate", "--generator", kGenerator, "--seed", "1", "--latent",
                                                      kGenerator, "--out", "a.png"};
        QTest::newRow("no out") << QStringList{"generate", "--generator", kGenerator, "--seed", "1"};
        QTest::newRow("count without seed") << QStringList{"generate", "--generator", kGenerator, "--count", "2", "--out", "a.png"};
        QTest::newRow("unknown image type") << QStringList{"generate", "--generator", kGenerator, "--seed", "1", "--out", "a.xyz"};
        QTest::newRow("missing generator") << QStringList{"generate", "--generator", "/nonexistent/g.pt", "--seed", "1", "--out", "a.png"};
    }

    void shouldExitWith2_onUsageErrors()
    {
        QFETCH(QStringList, args);
        const auto r = run(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("error:"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliGenerate)
#include "tst_cli_generate.moc"
