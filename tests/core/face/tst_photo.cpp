// A photo in, the photo out: the edited face pasted back at the photo's resolution (the crop
// itself comes back ≥ 40 dB, everything outside the mask bit-identical, no seam), every face
// of a photo editable on its own, EXIF-rotated JPEGs read upright, and `pae-cli edit --photo`
// / `align --list` end to end on the built-in models.
#include "TestSupport.h"
#include "core/edit/inversion.h"
#include "core/edit/model_set.h"
#include "core/edit/photo.h"
#include "core/face/paste_back.h"
#include "core/io/image.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

using pae::test::errorOf;

namespace {

namespace fs = std::filesystem;
const fs::path kPhoto = fs::path(PAE_TEST_DATA_DIR) / "photos" / "astronaut.jpg";

double psnr(const pae::ImageRGB& a, const pae::ImageRGB& b, std::array<int, 4> box)
{
    double sum = 0;
    size_t n = 0;
    for (int y = box[1]; y < box[1] + box[3]; ++y)
        for (int x = box[0]; x < box[0] + box[2]; ++x)
            for (int c = 0; c < 3; ++c) {
                const size_t i = (size_t(y) * a.width + x) * 3 + c;
                const double d = double(a.pixels[i]) - double(b.pixels[i]);
                sum += d * d;
                ++n;
            }
    const double mse = sum / double(std::max<size_t>(n, 1));
    return mse <= 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

double psnr(const pae::ImageRGB& a, const pae::ImageRGB& b) { return psnr(a, b, {0, 0, a.width, a.height}); }

pae::ImageRGB mirrored(const pae::ImageRGB& image)
{
    pae::ImageRGB out = image;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            for (int c = 0; c < 3; ++c)
                out.pixels[(size_t(y) * image.width + x) * 3 + c] =
                    image.pixels[(size_t(y) * image.width + (image.width - 1 - x)) * 3 + c];
    return out;
}

pae::ImageRGB sideBySide(const pae::ImageRGB& a, const pae::ImageRGB& b)
{
    pae::ImageRGB out{a.width + b.width, a.height, std::vector<uint8_t>(size_t(a.width + b.width) * a.height * 3)};
    for (int y = 0; y < a.height; ++y) {
        std::copy_n(a.pixels.begin() + ptrdiff_t(size_t(y) * a.width * 3), a.width * 3,
                    out.pixels.begin() + ptrdiff_t(size_t(y) * out.width * 3));
        std::copy_n(b.pixels.begin() + ptrdiff_t(size_t(y) * b.width * 3), b.width * 3,
                    out.pixels.begin() + ptrdiff_t((size_t(y) * out.width + a.width) * 3));
    }
    return out;
}

// The image turned a quarter (clockwise when `clockwise`) or a half.
pae::ImageRGB turned(const pae::ImageRGB& image, int quarters)
{
    pae::ImageRGB out = image;
    for (int q = 0; q < ((quarters % 4) + 4) % 4; ++q) {
        pae::ImageRGB next{out.height, out.width, std::vector<uint8_t>(out.pixels.size())};
        for (int y = 0; y < out.height; ++y)
            for (int x = 0; x < out.width; ++x) // clockwise: (x, y) → (h − 1 − y, x)
                for (int c = 0; c < 3; ++c)
                    next.pixels[(size_t(x) * next.width + (out.height - 1 - y)) * 3 + c] =
                        out.pixels[(size_t(y) * out.width + x) * 3 + c];
        out = next;
    }
    return out;
}

std::vector<uint8_t> readBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A JPEG file with an EXIF APP1 segment right after SOI holding only the Orientation tag
// (0x0112, SHORT, little-endian TIFF), as a phone camera writes it.
void insertExifOrientation(const fs::path& jpeg, int orientation)
{
    std::vector<uint8_t> bytes = readBytes(jpeg);
    const std::vector<uint8_t> tiff = {'I',  'I',  42, 0, 8, 0, 0, 0, // header, IFD0 at 8
                                       1,    0,                       // one entry
                                       0x12, 0x01, 3,  0, 1, 0, 0, 0, uint8_t(orientation),
                                       0,    0,    0,  0, 0, 0, 0}; // no next IFD
    std::vector<uint8_t> app1 = {'E', 'x', 'i', 'f', 0, 0};
    app1.insert(app1.end(), tiff.begin(), tiff.end());
    const size_t length = app1.size() + 2;
    std::vector<uint8_t> segment = {0xFF, 0xE1, uint8_t(length >> 8), uint8_t(length & 0xFF)};
    segment.insert(segment.end(), app1.begin(), app1.end());
    bytes.insert(bytes.begin() + 2, segment.begin(), segment.end());
    std::ofstream(jpeg, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

} // namespace

class TestPhoto : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    pae::ImageRGB m_photo;
    std::unique_ptr<pae::FaceAligner> m_aligner;
    pae::FaceLandmarks m_face;
    pae::FaceQuad m_quad;

    QString path(const QString& name) const { return m_dir.filePath(name); }
    using Run = pae::test::CliResult;
    Run cli(const QStringList& args)
    {
        return pae::test::runCli(args, pae::test::CliOptions::cachedIn(m_dir.filePath("cache")));
    }

    // Every pixel outside the mask (weight 0, or outside its box) is the photo's own byte.
    static int changedOutsideTheMask(const pae::ImageRGB& photo, const pae::PasteResult& r)
    {
        int changed = 0;
        const auto& b = r.maskBox;
        for (int y = 0; y < photo.height; ++y)
            for (int x = 0; x < photo.width; ++x) {
                const bool inBox = x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[3];
                if (inBox && r.mask[size_t(y - b[1]) * b[2] + (x - b[0])] > 0)
                    continue;
                for (int c = 0; c < 3; ++c) {
                    const size_t i = (size_t(y) * photo.width + x) * 3 + c;
                    changed += photo.pixels[i] != r.image.pixels[i];
                }
            }
        return changed;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(pae::FaceAligner::available(), "this build has no dlib; scripts/dev.sh builds with it");
        m_aligner = std::make_unique<pae::FaceAligner>();
        m_photo = pae::io::readImage(kPhoto);
        const auto faces = m_aligner->detect(m_photo);
        QCOMPARE(int(faces.size()), 1);
        m_face = faces[0];
        m_quad = pae::ffhqQuad(m_face);
    }

    // The aligned crop itself, pasted back: the photo again (no generator, so only the two
    // resamplings differ), and the colour match finds nothing to correct.
    void pastingTheCropBackReproducesThePhoto_data()
    {
        QTest::addColumn<int>("size");
        QTest::newRow("1024² (larger than the face: shrunk back)") << 1024;
        QTest::newRow("256²") << 256;
    }
    void pastingTheCropBackReproducesThePhoto()
    {
        QFETCH(int, size);
        const pae::ImageRGB crop = pae::warpQuad(m_photo, m_quad, size);
        const pae::PasteResult r = pae::pasteBack(m_photo, m_face, m_quad, crop);
        QCOMPARE(r.image.width, m_photo.width);
        QCOMPARE(r.image.height, m_photo.height);
        const double whole = psnr(r.image, m_photo);
        const double face = psnr(r.image, m_photo, r.maskBox);
        qInfo("crop %d²: whole photo %.2f dB, the face's box %.2f dB, colour shift %.3f %.3f %.3f", size, whole, face,
              double(r.colourShift[0]), double(r.colourShift[1]), double(r.colourShift[2]));
        QVERIFY2(whole >= 40.0, qPrintable(QString("whole photo %1 dB").arg(whole)));
        QVERIFY2(face >= 36.0, qPrintable(QString("the face's box %1 dB").arg(face)));
        for (float shift : r.colourShift)
            QVERIFY2(std::abs(shift) < 0.5f, qPrintable(QString("colour shift %1").arg(shift)));
        QCOMPARE(changedOutsideTheMask(m_photo, r), 0);
    }

    // The mask covers the face and forehead, not the background or the crop's border.
    void maskCoversTheFaceAndFadesBeforeTheBorder()
    {
        const int size = 256;
        const std::vector<float> mask = pae::pasteMask(m_face, m_quad, size, pae::PasteRegion::Face);
        QCOMPARE(mask.size(), size_t(size * size));
        // The nose tip and the mouth in crop coordinates: the aligned face is centred, the nose
        // near the middle.
        QVERIFY2(mask[size_t(size / 2) * size + size / 2] > 0.99f,
                 qPrintable(QString::number(mask[size * size / 2 + size / 2])));
        // The forehead, a quarter down the middle column: inside.
        QVERIFY2(mask[size_t(size / 4) * size + size / 2] > 0.9f,
                 qPrintable(QString::number(mask[size * size / 4 + size / 2])));
        // The top corners (background) and the whole outer 2% ring: nothing.
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x)
                if (std::min({x, y, size - 1 - x, size - 1 - y}) < 5)
                    QCOMPARE(mask[size_t(y) * size + x], 0.0f);
        QCOMPARE(mask[size_t(20) * size + 20], 0.0f);
        // The crop region: everything but the border.
        const std::vector<float> crop = pae::pasteMask(m_face, m_quad, size, pae::PasteRegion::Crop);
        QCOMPARE(crop[size_t(size / 8) * size + size / 2], 1.0f);
        QCOMPARE(crop[size_t(2) * size + size / 2], 0.0f);
    }

    // The unedited reconstruction (the built-in encoder's cartoon of her face) pasted back:
    // outside the mask every byte is the photo's; across the mask's fade no seam.
    void reconstructionPastedBackTouchesOnlyTheMask_andHasNoSeam()
    {
        const auto models = pae::ModelSet::load(pae::ModelPaths{});
        QVERIFY2(!models->info().encoderDescription.empty(), "the built-in models ship an encoder");
        pae::InversionRequest request;
        request.steps = 0; // the encoder's W+ as it is
        const pae::PhotoInversion inverted =
            pae::invertPhoto(models, *m_aligner, m_photo, 0, request, {}, kPhoto.string());
        const pae::ImageRGB& reconstruction = inverted.inversion.image;
        QCOMPARE(reconstruction.width, models->info().resolution);
        const pae::PasteResult matched =
            pae::pasteBack(m_photo, inverted.face.landmarks, inverted.face.quad, reconstruction);
        QCOMPARE(changedOutsideTheMask(m_photo, matched), 0);
        QVERIFY2(psnr(matched.image, m_photo, matched.maskBox) < 30.0, "the cartoon replaced her face");
        // Without the colour match, so that the same E can be pasted whole for the bound below.
        const pae::PasteResult r = pae::pasteBack(m_photo, inverted.face.landmarks, inverted.face.quad, reconstruction,
                                                  {pae::PasteRegion::Face, false});
        QCOMPARE(changedOutsideTheMask(m_photo, r), 0);

        // The mask's step between neighbouring pixels is at most 0.15 (a fade at least about
        // 7 pixels wide here: σ = 2.5% of the face's 190-pixel square gives a steepest
        // 1/(σ√2π) ≈ 0.08 per pixel, the border ramp 0.13). With C = mE + (1−m)P, a step of C is
        // m·ΔE + (1−m)·ΔP + Δm·(E−P): never more than the larger of the photo's and the edit's
        // own steps plus 0.15·|E − P| (+1 for rounding). A hard mask edge (Δm = 1) breaks both.
        const auto& b = r.maskBox;
        float steepest = 0;
        for (int y = 0; y < b[3]; ++y)
            for (int x = 0; x + 1 < b[2]; ++x)
                steepest =
                    std::max(steepest, std::abs(r.mask[size_t(y) * b[2] + x + 1] - r.mask[size_t(y) * b[2] + x]));
        for (int y = 0; y + 1 < b[3]; ++y)
            for (int x = 0; x < b[2]; ++x)
                steepest =
                    std::max(steepest, std::abs(r.mask[size_t(y + 1) * b[2] + x] - r.mask[size_t(y) * b[2] + x]));
        qInfo("the mask's steepest step between neighbours: %.4f", double(steepest));
        QVERIFY2(steepest <= 0.15f, qPrintable(QString("the mask steps by %1 between neighbours").arg(steepest)));
        QVERIFY2(steepest >= 0.01f, "the mask never changes: nothing was pasted");
        // Along each row of the box: the composite's steps against the bound, where E is known:
        // the whole crop pasted (its mask 1 there).
        const pae::PasteResult whole = pae::pasteBack(m_photo, inverted.face.landmarks, inverted.face.quad,
                                                      reconstruction, {pae::PasteRegion::Crop, false});
        // The whole crop covers at least the face's box (each box is tight around its mask).
        const auto& wb = whole.maskBox;
        QVERIFY(wb[0] <= b[0] && wb[1] <= b[1] && wb[0] + wb[2] >= b[0] + b[2] && wb[1] + wb[3] >= b[1] + b[3]);
        const pae::ImageRGB& warpedFace = whole.image;
        int checked = 0;
        int worst = 0;
        for (int y = b[1]; y < b[1] + b[3]; ++y)
            for (int x = b[0]; x + 1 < b[0] + b[2]; ++x) {
                const float m0 = r.mask[size_t(y - b[1]) * b[2] + (x - b[0])];
                const float m1 = r.mask[size_t(y - b[1]) * b[2] + (x + 1 - b[0])];
                if (m0 <= 0 || m0 >= 1 || m1 <= 0 || m1 >= 1)
                    continue; // only the fade
                const size_t k = size_t(y - b[1]) * b[2] + (x - b[0]);
                if (whole.mask[k] < 1 || whole.mask[k + 1] < 1)
                    continue;
                ++checked;
                for (int c = 0; c < 3; ++c) {
                    const auto at = [&](const pae::ImageRGB& im, int xx) {
                        return int(im.pixels[(size_t(y) * im.width + xx) * 3 + c]);
                    };
                    const int dC = std::abs(at(r.image, x + 1) - at(r.image, x));
                    const int dP = std::abs(at(m_photo, x + 1) - at(m_photo, x));
                    const int dE = std::abs(at(warpedFace, x + 1) - at(warpedFace, x));
                    const double bound =
                        std::max(dP, dE) + std::abs(m1 - m0) * std::abs(at(warpedFace, x) - at(m_photo, x)) + 3;
                    worst = std::max(worst, int(std::ceil(dC - bound)));
                }
            }
        QVERIFY2(worst <= 0, qPrintable(QString("a step %1 above the bound").arg(worst)));
        qInfo("%d steps in the fade checked; worst above the bound: %d", checked, worst);
        QVERIFY2(checked > 500, qPrintable(QString("only %1 steps in the fade were checked").arg(checked)));
    }

    // Two faces (her and her mirror image side by side): both found, each pasted back into its
    // own place only.
    void everyFaceIsEditedInItsOwnPlace()
    {
        const pae::ImageRGB two = sideBySide(m_photo, mirrored(m_photo));
        const auto faces = m_aligner->detect(two);
        QCOMPARE(int(faces.size()), 2);
        pae::ImageRGB result = two;
        for (const auto& face : faces) {
            const pae::FaceQuad quad = pae::ffhqQuad(face);
            pae::ImageRGB crop = pae::warpQuad(two, quad, 256);
            for (auto& v : crop.pixels)
                v = uint8_t(255 - v); // a change no one can miss
            const pae::ImageRGB before = result;
            const pae::PasteResult r = pae::pasteBack(before, face, quad, crop, {pae::PasteRegion::Face, false});
            QCOMPARE(changedOutsideTheMask(before, r), 0);
            // The face's own half changed, the other half did not.
            const bool left = face.box[0] + face.box[2] / 2 < m_photo.width;
            const std::array<int, 4> own{left ? 0 : m_photo.width, 0, m_photo.width, m_photo.height};
            const std::array<int, 4> other{left ? m_photo.width : 0, 0, m_photo.width, m_photo.height};
            QVERIFY(psnr(r.image, before, own) < 25.0);
            QCOMPARE(psnr(r.image, before, other), 99.0);
            result = r.image;
        }
        QVERIFY(psnr(result, two, {0, 0, m_photo.width, m_photo.height}) < 25.0);
        QVERIFY(psnr(result, two, {m_photo.width, 0, m_photo.width, m_photo.height}) < 25.0);
        // Face numbers beyond the photo's are named.
        const std::string message = errorOf([&] { m_aligner->align(two, 64, "two.png", 2); });
        QVERIFY2(message.find("two.png: face 2 asked for, but 2 faces were found (faces are numbered from 0") !=
                     std::string::npos,
                 message.c_str());
    }

    void tooSmallAFaceIsNamedWithItsSize()
    {
        pae::AlignedFace face;
        face.landmarks = m_face;
        face.index = 0;
        const double span = pae::eyeSpan(m_face);
        QVERIFY2(span > 40 && span < 120, qPrintable(QString::number(span)));
        pae::requireEditable(face, 64, "a.jpg"); // the built-in world needs 3 pixels
        QVERIFY(pae::minimumEyeSpan(1024) == 48.0);
        QVERIFY(pae::minimumEyeSpan(256) == 12.0);
        pae::requireEditable(face, 1024, "a.jpg"); // her 60 pixels are enough for a real StyleGAN2
        // Shrunk so that her eyes' corners are 30 pixels apart: too small for 1024².
        for (auto& p : face.landmarks.points)
            p = {p[0] * 0.5, p[1] * 0.5};
        const std::string message = errorOf([&] { pae::requireEditable(face, 1024, "a.jpg"); });
        const std::string expected =
            "a.jpg: face 0 is too small to edit: " + std::to_string(int(std::lround(span * 0.5))) +
            " pixels between the eyes' outer corners, at least 48 for a 1024² generator";
        QCOMPARE(message, expected);
    }

    // A phone's JPEG stores the sensor's rows and an EXIF Orientation tag; read, it is upright.
    void exifRotatedJpegIsReadUpright_data()
    {
        QTest::addColumn<int>("orientation");
        QTest::addColumn<int>("storedQuarters"); // how the stored pixels are turned from upright
        QTest::newRow("6: stored a quarter anticlockwise") << 6 << 3;
        QTest::newRow("3: stored upside down") << 3 << 2;
        QTest::newRow("8: stored a quarter clockwise") << 8 << 1;
    }
    void exifRotatedJpegIsReadUpright()
    {
        QFETCH(int, orientation);
        QFETCH(int, storedQuarters);
        const fs::path file = path(QString("exif-%1.jpg").arg(orientation)).toStdString();
        pae::io::writeImage(turned(m_photo, storedQuarters), file);
        insertExifOrientation(file, orientation);
        const pae::ImageRGB read = pae::io::readImage(file);
        QCOMPARE(read.width, m_photo.width);
        QCOMPARE(read.height, m_photo.height);
        const double p = psnr(read, m_photo);
        QVERIFY2(p > 30.0, qPrintable(QString("%1 dB against the upright photo").arg(p)));
        QCOMPARE(int(m_aligner->detect(read).size()), 1);
    }

    // `pae-cli edit --photo` on the built-in models: the whole photo back at its size, the
    // cartoon warning, the edited crop on request.
    void cliEditsAPhotoAndWritesTheWholePhoto()
    {
        const Run r = cli({"edit", "--photo", QString::fromStdString(kPhoto.string()), "--prompt", "a happy face",
                           "--corpus", "emotion", "--steps", "4", "--invert-steps", "0", "--out", path("photo-out.png"),
                           "--crop-out", path("crop-out.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("warning: the built-in models draw cartoon faces"), qPrintable(r.err));
        const pae::ImageRGB out = pae::io::readImage(path("photo-out.png").toStdString());
        QCOMPARE(out.width, m_photo.width);
        QCOMPARE(out.height, m_photo.height);
        const pae::ImageRGB crop = pae::io::readImage(path("crop-out.png").toStdString());
        QCOMPARE(crop.width, 64);
        // The corners of the photo (far from her face) are the photo's own.
        QCOMPARE(psnr(out, m_photo, {0, 0, 60, 60}), 99.0);
        QVERIFY(psnr(out, m_photo) < 99.0);
    }

    void cliEditsTheFaceAskedFor_andListsThem()
    {
        const pae::ImageRGB two = sideBySide(m_photo, mirrored(m_photo));
        pae::io::writeImage(two, path("two.png").toStdString());
        Run r = cli({"align", "--image", path("two.png"), "--list", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto listing = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(listing["faces"].size(), size_t(2));
        QCOMPARE(listing["faces"][0]["landmarks"].size(), size_t(68));
        QCOMPARE(listing["faces"][1]["face"].get<int>(), 1);
        QCOMPARE(listing["faces"][1]["quad"].size(), size_t(4));
        const auto box = listing["faces"][1]["box"];
        const bool secondIsRight = box[0].get<int>() > m_photo.width / 2;

        r = cli({"edit", "--photo", path("two.png"), "--face", "1", "--prompt", "a happy face", "--corpus", "emotion",
                 "--steps", "3", "--invert-steps", "0", "--out", path("two-out.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const pae::ImageRGB out = pae::io::readImage(path("two-out.png").toStdString());
        const std::array<int, 4> left{0, 0, m_photo.width, m_photo.height};
        const std::array<int, 4> right{m_photo.width, 0, m_photo.width, m_photo.height};
        QCOMPARE(psnr(out, two, secondIsRight ? left : right), 99.0);
        QVERIFY(psnr(out, two, secondIsRight ? right : left) < 99.0);

        r = cli({"edit", "--photo", path("two.png"), "--face", "2", "--prompt", "a happy face", "--steps", "3", "--out",
                 path("three.png")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("face 2 asked for, but 2 faces were found"), qPrintable(r.err));
        QVERIFY(!QFile::exists(path("three.png")));
    }

    void cliRefusesAPhotoWithoutAFace()
    {
        pae::ImageRGB empty{200, 150, std::vector<uint8_t>(200 * 150 * 3)};
        for (size_t i = 0; i < empty.pixels.size(); ++i)
            empty.pixels[i] = uint8_t(i / 3 % 200);
        pae::io::writeImage(empty, path("wall.png").toStdString());
        const Run r = cli({"edit", "--photo", path("wall.png"), "--prompt", "a happy face", "--steps", "3", "--out",
                           path("wall-out.jpg")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("error: " + path("wall.png") + ": no face found"), qPrintable(r.err));
        QVERIFY(!QFile::exists(path("wall-out.jpg")));
        // --face without a photo is a usage error.
        const Run u = cli({"edit", "--seed", "1", "--face", "1", "--prompt", "a happy face", "--out", path("u.png")});
        QCOMPARE(u.exitCode, 2);
        QVERIFY2(u.err.contains("--face needs --photo"), qPrintable(u.err));
    }
};

QTEST_GUILESS_MAIN(TestPhoto)
#include "tst_photo.moc"
