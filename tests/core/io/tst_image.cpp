#include "TestSupport.h"
#include "core/io/image.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using pae::ImageRGB;

using pae::test::errorOf;

namespace {

// Distinct values per channel and position, so a channel swap or transpose shows.
ImageRGB gradient(int w, int h)
{
    ImageRGB image{w, h, std::vector<uint8_t>(static_cast<size_t>(w) * h * 3)};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            uint8_t* p = &image.pixels[(static_cast<size_t>(y) * w + x) * 3];
            p[0] = static_cast<uint8_t>(10 * x);
            p[1] = static_cast<uint8_t>(20 * y);
            p[2] = static_cast<uint8_t>(200 + x + y);
        }
    return image;
}

} // namespace

class TestImage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldRoundTripLosslessFormats_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("png") << "face.png";
        QTest::newRow("bmp") << "face.bmp";
        QTest::newRow("upper-case png") << "face.PNG";
    }

    void shouldRoundTripLosslessFormats()
    {
        QFETCH(QString, name);
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / name.toStdString();
        const ImageRGB image = gradient(7, 5);
        pae::io::writeImage(image, path);
        const ImageRGB back = pae::io::readImage(path);
        QCOMPARE(back.width, 7);
        QCOMPARE(back.height, 5);
        QVERIFY(back.pixels == image.pixels);
    }

    void shouldKeepRgbOrder_throughJpeg()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "red.jpg";
        ImageRGB red{16, 16, {}};
        for (int i = 0; i < 16 * 16; ++i)
            red.pixels.insert(red.pixels.end(), {220, 30, 40});
        pae::io::writeImage(red, path);
        const ImageRGB back = pae::io::readImage(path);
        QVERIFY(std::abs(back.pixels[0] - 220) <= 3);
        QVERIFY(std::abs(back.pixels[1] - 30) <= 3);
        QVERIFY(std::abs(back.pixels[2] - 40) <= 3);
    }

    void shouldNameTheFile_whenItIsNotAnImage()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "notes.png";
        std::ofstream(path) << "this is text, not a PNG";
        const QString message = QString::fromStdString(errorOf([&] { pae::io::readImage(path); }));
        QCOMPARE(message, QString::fromStdString(path.string()) +
                              ": not an image in a format that can be read (PNG, JPEG, WebP, BMP or TIFF)");
        // A DICOM file: OpenCV's DICOM reader aborted the process on a damaged one (found by
        // fuzz_image; tests/fuzz/seeds/image/dicom-abort keeps it). Refused, naming what it is.
        std::string dicom(128, '\x86');
        dicom += "DICM\x12\xe5\x19";
        const fs::path scan = path.parent_path() / "scan.png";
        std::ofstream(scan, std::ios::binary) << dicom;
        const QString said = QString::fromStdString(errorOf([&] { pae::io::readImage(scan); }));
        QVERIFY2(said.endsWith(QStringLiteral("; it is a DICOM file")), qPrintable(said));
        // Starting as WebP is not enough: a broken WebP with "DICM" at byte 128 went on from
        // OpenCV's WebP decoder to the DICOM one (fuzz_image; seeds/image/webp-dicom-abort).
        std::ifstream in(PAE_SOURCE_DIR "/tests/fuzz/seeds/image/webp-dicom-abort", std::ios::binary);
        const std::string polyglot((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        QVERIFY(polyglot.size() > 132 && polyglot.compare(0, 4, "RIFF") == 0);
        const fs::path both = path.parent_path() / "both.webp";
        std::ofstream(both, std::ios::binary) << polyglot;
        const QString refused = QString::fromStdString(errorOf([&] { pae::io::readImage(both); }));
        QCOMPARE(refused, QString::fromStdString(both.string()) +
                              ": not a WebP image that can be read: it starts as WebP but also carries a DICOM "
                              "signature; re-save the picture as PNG or JPEG");
        // And DTED's signature at byte 140 (GDAL's reader) in a file that starts as PNG.
        std::string dted = "\x89PNG\r\n\x1a\n" + std::string(132, '\0') + "DTED" + std::string(16, '\0');
        const fs::path gdal = path.parent_path() / "gdal.png";
        std::ofstream(gdal, std::ios::binary) << dted;
        QVERIFY2(QString::fromStdString(errorOf([&] { pae::io::readImage(gdal); })).contains(QStringLiteral("DTED")),
                 qPrintable(QString::fromStdString(errorOf([&] { pae::io::readImage(gdal); }))));
        const fs::path absent = path.parent_path() / "absent.png";
        QVERIFY(QString::fromStdString(errorOf([&] {
                    pae::io::readImage(absent);
                })).startsWith(QString::fromStdString(absent.string() + ": cannot open")));
    }

    void shouldRefuseUnknownExtensions_andLeaveNoFile()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "face.tga";
        const QString message = QString::fromStdString(errorOf([&] { pae::io::writeImage(gradient(2, 2), path); }));
        QVERIFY2(message.contains("face.tga: cannot tell the image format from the extension '.tga'"),
                 qPrintable(message));
        QVERIFY(!fs::exists(path));
        QVERIFY_THROWS_EXCEPTION(pae::Error,
                                 pae::io::writeImage(ImageRGB{3, 3, {1, 2, 3}}, path.parent_path() / "x.png"));
    }

    void shouldConvertToTensor_inUnitRange()
    {
        const ImageRGB image = gradient(3, 2);
        const torch::Tensor t = pae::io::imageToTensor(image);
        QCOMPARE(t.sizes().vec(), (std::vector<int64_t>{1, 3, 2, 3}));
        QCOMPARE(t.scalar_type(), torch::kFloat32);
        // Pixel (x=2, y=1): R = 20, G = 20, B = 203.
        QCOMPARE(t[0][0][1][2].item<float>(), 20.0f / 255.0f);
        QCOMPARE(t[0][1][1][2].item<float>(), 20.0f / 255.0f);
        QCOMPARE(t[0][2][1][2].item<float>(), 203.0f / 255.0f);
        const ImageRGB back = pae::io::tensorToImage(t);
        QVERIFY(back.pixels == image.pixels);
        QVERIFY(pae::io::tensorToImage(t[0].to(torch::kFloat64)).pixels == image.pixels);
    }

    void shouldClampAndRound_whenConvertingBack()
    {
        const torch::Tensor t =
            torch::tensor({-0.5f, 1.7f, 0.5f / 255.0f + 1e-4f, 0.4f / 255.0f, NAN, 0.5f}).reshape({3, 1, 2});
        const ImageRGB image = pae::io::tensorToImage(t);
        QCOMPARE(image.width, 2);
        QCOMPARE(image.height, 1);
        // Channel-major input, pixel-major output: pixel 0 = (c0[0], c1[0], c2[0]).
        QVERIFY((image.pixels == std::vector<uint8_t>{0, 1, 0, 255, 0, 128}));
        QVERIFY(QString::fromStdString(errorOf([] {
                    pae::io::tensorToImage(torch::zeros({4, 2, 2}));
                })).contains("expected [3,H,W] or [1,3,H,W], got [4, 2, 2]"));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::io::tensorToImage(torch::zeros({2, 3, 2, 2})));
    }

    void shouldAverageAreas_whenShrinking()
    {
        // A per-pixel checkerboard: every 2x2 area holds two black and two white pixels.
        ImageRGB checker{4, 4, {}};
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x) {
                const uint8_t v = (x + y) % 2 ? 255 : 0;
                checker.pixels.insert(checker.pixels.end(), {v, v, v});
            }
        const ImageRGB half = pae::io::resizeImage(checker, 2, 2);
        QCOMPARE(half.width, 2);
        QCOMPARE(half.height, 2);
        for (uint8_t v : half.pixels)
            QVERIFY(v == 127 || v == 128);
        const ImageRGB big = pae::io::resizeImage(half, 8, 6);
        QCOMPARE(big.pixels.size(), size_t(8 * 6 * 3));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::io::resizeImage(half, 0, 3));
    }
};

QTEST_GUILESS_MAIN(TestImage)
#include "tst_image.moc"
