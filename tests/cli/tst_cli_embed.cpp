// pae-cli embed, run as a user would, against the reference numbers of the tiny fixture.
#include "TestSupport.h"
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>

using nlohmann::json;

namespace {
using pae::test::runCli;

const QString kFixture = QStringLiteral(PAE_TEST_DATA_DIR "/tiny-clip");

const json& expected()
{
    static const json data = [] {
        std::ifstream in((kFixture + "/expected.json").toStdString());
        return json::parse(in);
    }();
    return data;
}

// Largest |got - want| over the largest |want|, row by row.
double relativeError(const QString& line, const json& want)
{
    const json got = json::parse(line.toStdString());
    if (!got.is_array() || got.size() != want.size())
        return INFINITY;
    double diff = 0, scale = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        diff = std::max(diff, std::abs(got[i].get<double>() - want[i].get<double>()));
        scale = std::max(scale, std::abs(want[i].get<double>()));
    }
    return diff / scale;
}

} // namespace

class TestCliEmbed : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldPrintOneArrayPerText()
    {
        const auto& texts = expected()["texts"];
        const auto r = runCli({"embed", "--clip", kFixture, "--device", "cpu", "--text",
                               QString::fromStdString(texts[0].get<std::string>()),
                               QString::fromStdString(texts[3].get<std::string>())});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines().size(), 2);
        const auto& want = expected()["quick_gelu"]["text_features"];
        QVERIFY(relativeError(r.lines()[0], want[0]) < 1e-4);
        QVERIFY(relativeError(r.lines()[1], want[3]) < 1e-4);
    }

    void shouldEmbedPreprocessedPixels()
    {
        const auto r = runCli({"embed", "--clip", kFixture, "--pixels", kFixture + "/test_pixels.safetensors"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines().size(), 2);
        const auto& want = expected()["quick_gelu"]["image_features"];
        QVERIFY(relativeError(r.lines()[0], want[0]) < 1e-4);
        QVERIFY(relativeError(r.lines()[1], want[1]) < 1e-4);
    }

    void shouldEmbedAnImageFile_closeToPilPreprocessing()
    {
        const auto r = runCli({"embed", "--clip", kFixture, "--image", kFixture + "/test_image.png"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.lines().size(), 1);
        // One 8-bit rounding step apart from PIL in a few pixels at most.
        QVERIFY(relativeError(r.lines()[0], expected()["quick_gelu"]["png_features"][0]) < 1e-2);
    }

    void shouldFailNamingTheFolder_whenItIsMissing()
    {
        const auto r = runCli({"embed", "--clip", "/nonexistent/clip-folder", "--text", "a face"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error:") && r.err.contains("/nonexistent/clip-folder"), qPrintable(r.err));
        QVERIFY(r.lines().isEmpty());
    }

    void shouldFailNamingTheKey_whenPixelValuesAreAbsent()
    {
        // model.safetensors is a valid safetensors file without "pixel_values".
        const auto r = runCli({"embed", "--clip", kFixture, "--pixels", kFixture + "/model.safetensors"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error:") && r.err.contains("pixel_values") && r.err.contains("model.safetensors"),
                 qPrintable(r.err));
    }

    void shouldFailNamingTheFile_whenAnImageIsUnreadable()
    {
        const auto r = runCli({"embed", "--clip", kFixture, "--image", kFixture + "/merges.txt"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error:") && r.err.contains("merges.txt"), qPrintable(r.err));
    }

    void shouldFailWithUsage_whenNoInputOrTwoKindsAreGiven()
    {
        QCOMPARE(runCli({"embed", "--clip", kFixture}).exitCode, 2);
        QCOMPARE(runCli({"embed", "--clip", kFixture, "--text", "a", "--pixels", "x.safetensors"}).exitCode, 2);
        QCOMPARE(runCli({"embed", "--clip", kFixture, "--text", "a", "--device", "gpu"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliEmbed)
#include "tst_cli_embed.moc"
