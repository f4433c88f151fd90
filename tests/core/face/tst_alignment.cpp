// FFHQ alignment: the quad recipe on hand-placed landmarks, the warp that cuts it out, and
// dlib's detector and landmarks on a real photo (NASA's portrait of Eileen Collins, public
// domain): the aligned face, searched again, sits level in the middle of the frame.
#include "TestSupport.h"
#include "core/face/alignment.h"
#include "core/io/image.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace {

const std::filesystem::path kPhoto = std::filesystem::path(PAE_TEST_DATA_DIR) / "photos" / "astronaut.jpg";
constexpr double kPi = 3.141592653589793;

// Landmarks with both eyes and the mouth corners where asked (the rest left at 0).
pae::FaceLandmarks landmarks(pae::Point2 eyeLeft, pae::Point2 eyeRight, pae::Point2 mouthLeft, pae::Point2 mouthRight)
{
    pae::FaceLandmarks l;
    for (int i = 36; i <= 41; ++i)
        l.points[size_t(i)] = eyeLeft;
    for (int i = 42; i <= 47; ++i)
        l.points[size_t(i)] = eyeRight;
    l.points[48] = mouthLeft;
    l.points[54] = mouthRight;
    return l;
}

pae::Point2 rotate(pae::Point2 p, pae::Point2 about, double radians)
{
    const double c = std::cos(radians), s = std::sin(radians);
    const double x = p[0] - about[0], y = p[1] - about[1];
    return {about[0] + c * x - s * y, about[1] + s * x + c * y};
}

// Angle of the quad's top edge, in degrees (0: level).
double tiltDegrees(const pae::FaceQuad& q)
{
    return std::atan2(q.corners[3][1] - q.corners[0][1], q.corners[3][0] - q.corners[0][0]) * 180.0 / kPi;
}

// An image of one colour with a w×w square of another at (x, y).
pae::ImageRGB squareOn(int size, int x, int y, int w)
{
    pae::ImageRGB image{size, size, std::vector<uint8_t>(size_t(size) * size * 3, 20)};
    for (int yy = y; yy < y + w; ++yy)
        for (int xx = x; xx < x + w; ++xx)
            image.pixels[(size_t(yy) * size + xx) * 3] = 250;
    return image;
}

// Centre of the red square in an image (mean of the pixels whose red exceeds 128).
pae::Point2 redCentre(const pae::ImageRGB& image)
{
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            if (image.pixels[(size_t(y) * image.width + x) * 3] > 128) {
                sx += x;
                sy += y;
                n += 1;
            }
    return n > 0 ? pae::Point2{sx / n, sy / n} : pae::Point2{-1, -1};
}

// The photo turned by `degrees` about its centre (mirrored at the borders).
pae::ImageRGB turned(const pae::ImageRGB& image, double degrees)
{
    const pae::Point2 c{image.width / 2.0 - 0.5, image.height / 2.0 - 0.5};
    const double side = image.width;
    pae::FaceQuad q;
    // The quad whose warp turns the picture: its corners are the frame's turned the other way.
    const double r = -degrees * kPi / 180.0;
    q.corners = {rotate({-0.5, -0.5}, c, r), rotate({-0.5, side - 0.5}, c, r), rotate({side - 0.5, side - 0.5}, c, r),
                 rotate({side - 0.5, -0.5}, c, r)};
    return pae::warpQuad(image, q, image.width);
}

} // namespace

class TestAlignment : public QObject {
    Q_OBJECT
    std::unique_ptr<pae::FaceAligner> m_aligner;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(pae::FaceAligner::available(), "this build has no dlib; scripts/dev.sh builds with it");
        m_aligner = std::make_unique<pae::FaceAligner>();
    }

    void quadOfALevelFace()
    {
        // Eyes 20 apart, mouth 25 below them: 3.6 × 25 = 90 > 4 × 20 = 80 sets the side.
        const pae::FaceQuad q = pae::ffhqQuad(landmarks({40, 50}, {60, 50}, {42, 75}, {58, 75}));
        QCOMPARE(q.side(), 90.0);
        QCOMPARE(q.centre()[0], 50.0);
        QCOMPARE(q.centre()[1], 52.5); // a tenth of the way down to the mouth
        QCOMPARE(q.corners[0][0], 5.0);
        QCOMPARE(q.corners[0][1], 7.5);
        QCOMPARE(q.corners[2][0], 95.0);
        QCOMPARE(q.corners[2][1], 97.5);
        // Wide-set eyes: the eye distance sets it.
        QCOMPARE(pae::ffhqQuad(landmarks({30, 50}, {70, 50}, {42, 75}, {58, 75})).side(), 160.0);
    }

    void quadTurnsWithTheFace()
    {
        const pae::Point2 about{50, 60};
        const double r = 25.0 * kPi / 180.0;
        const pae::FaceQuad level = pae::ffhqQuad(landmarks({40, 50}, {60, 50}, {42, 75}, {58, 75}));
        const pae::FaceQuad q = pae::ffhqQuad(landmarks(rotate({40, 50}, about, r), rotate({60, 50}, about, r),
                                                        rotate({42, 75}, about, r), rotate({58, 75}, about, r)));
        QVERIFY(std::abs(tiltDegrees(q) - 25.0) < 1e-6);
        QVERIFY(std::abs(q.side() - 90.0) < 1e-6);
        const pae::Point2 c = rotate(level.centre(), about, r);
        QVERIFY(std::abs(q.centre()[0] - c[0]) < 1e-6 && std::abs(q.centre()[1] - c[1]) < 1e-6);
    }

    void degenerateLandmarksAreRefused()
    {
        try {
            pae::ffhqQuad(landmarks({50, 50}, {50, 50}, {50, 50}, {50, 50}));
            QFAIL("no error");
        } catch (const pae::Error& e) {
            QVERIFY2(std::string(e.what()).find("degenerate") != std::string::npos, e.what());
        }
    }

    void warpCutsTheQuadOut()
    {
        // A 10-pixel square centred at (124.5, 84.5) in a 200² image; the quad (100,60)–(140,100)
        // maps it to the middle of a 40² output, then a quarter turn moves it.
        const pae::ImageRGB image = squareOn(200, 120, 80, 10);
        pae::FaceQuad q;
        q.corners = {
            {pae::Point2{99.5, 59.5}, pae::Point2{99.5, 99.5}, pae::Point2{139.5, 99.5}, pae::Point2{139.5, 59.5}}};
        const pae::ImageRGB out = pae::warpQuad(image, q, 40);
        QCOMPARE(out.width, 40);
        QCOMPARE(out.height, 40);
        pae::Point2 c = redCentre(out);
        QVERIFY2(std::abs(c[0] - 24.5) < 0.3 && std::abs(c[1] - 24.5) < 0.3,
                 qPrintable(QString("square at %1, %2").arg(c[0]).arg(c[1])));
        // Corners taken one further round: the output's top-left is the quad's bottom-left and
        // its right is the image's up, so the square (below the quad's middle) lands left.
        pae::FaceQuad turned;
        turned.corners = {{q.corners[1], q.corners[2], q.corners[3], q.corners[0]}};
        c = redCentre(pae::warpQuad(image, turned, 40));
        QVERIFY2(std::abs(c[0] - 14.5) < 0.3 && std::abs(c[1] - 24.5) < 0.3,
                 qPrintable(QString("square at %1, %2").arg(c[0]).arg(c[1])));
    }

    void warpAveragesWhenShrinking()
    {
        // One-pixel stripes, a quad four times the output: grey, not stripes (no aliasing).
        pae::ImageRGB image{256, 256, std::vector<uint8_t>(256 * 256 * 3)};
        for (int y = 0; y < 256; ++y)
            for (int x = 0; x < 256; ++x)
                for (int ch = 0; ch < 3; ++ch)
                    image.pixels[(size_t(y) * 256 + x) * 3 + ch] = (x % 2) ? 255 : 0;
        pae::FaceQuad q;
        q.corners = {
            {pae::Point2{-0.5, -0.5}, pae::Point2{-0.5, 255.5}, pae::Point2{255.5, 255.5}, pae::Point2{255.5, -0.5}}};
        const pae::ImageRGB out = pae::warpQuad(image, q, 64);
        int lo = 255, hi = 0;
        for (uint8_t v : out.pixels) {
            lo = std::min<int>(lo, v);
            hi = std::max<int>(hi, v);
        }
        QVERIFY2(lo >= 110 && hi <= 145, qPrintable(QString("values %1..%2").arg(lo).arg(hi)));
    }

    void findsTheAstronautsFace()
    {
        const pae::ImageRGB photo = pae::io::readImage(kPhoto);
        const auto faces = m_aligner->detect(photo);
        QCOMPARE(int(faces.size()), 1);
        // Her eyes and mouth, as a person marks them on the 512² portrait.
        const auto& p = faces[0].points;
        const auto near = [](pae::Point2 a, double x, double y) { return std::hypot(a[0] - x, a[1] - y) < 8; };
        pae::Point2 eyeL{0, 0}, eyeR{0, 0};
        for (int i = 0; i < 6; ++i) {
            eyeL = {eyeL[0] + p[36 + i][0] / 6, eyeL[1] + p[36 + i][1] / 6};
            eyeR = {eyeR[0] + p[42 + i][0] / 6, eyeR[1] + p[42 + i][1] / 6};
        }
        QVERIFY2(near(eyeL, 204, 103), qPrintable(QString("left eye %1, %2").arg(eyeL[0]).arg(eyeL[1])));
        QVERIFY2(near(eyeR, 241, 100), qPrintable(QString("right eye %1, %2").arg(eyeR[0]).arg(eyeR[1])));
    }

    void alignedFaceIsLevelAndCentred_data()
    {
        QTest::addColumn<double>("degrees");
        QTest::newRow("as photographed") << 0.0;
        QTest::newRow("turned 20°") << 20.0;
        QTest::newRow("turned -25°") << -25.0; // at -35° the detector no longer finds her
    }

    void alignedFaceIsLevelAndCentred()
    {
        QFETCH(double, degrees);
        const pae::ImageRGB photo = turned(pae::io::readImage(kPhoto), degrees);
        const pae::AlignedFace face = m_aligner->align(photo, 256, "astronaut.jpg");
        QCOMPARE(face.image.width, 256);
        QCOMPARE(face.facesFound, 1);
        // Searched again, the aligned face's own quad is the whole frame.
        const auto again = m_aligner->detect(face.image);
        QCOMPARE(int(again.size()), 1);
        const pae::FaceQuad q = pae::ffhqQuad(again[0]);
        QVERIFY2(std::abs(tiltDegrees(q)) < 2.0, qPrintable(QString("tilt %1°").arg(tiltDegrees(q))));
        QVERIFY2(std::abs(q.centre()[0] - 127.5) < 6 && std::abs(q.centre()[1] - 127.5) < 6,
                 qPrintable(QString("centre %1, %2").arg(q.centre()[0]).arg(q.centre()[1])));
        QVERIFY2(std::abs(q.side() - 256) < 16, qPrintable(QString("side %1").arg(q.side())));
    }

    void noFaceIsAnErrorNamingTheImage()
    {
        const pae::ImageRGB grey{300, 300, std::vector<uint8_t>(300 * 300 * 3, 128)};
        QVERIFY(m_aligner->detect(grey).empty());
        try {
            m_aligner->align(grey, 256, "wall.png");
            QFAIL("no error");
        } catch (const pae::Error& e) {
            const std::string m = e.what();
            QVERIFY2(m.find("wall.png") != std::string::npos && m.find("no face found") != std::string::npos, e.what());
        }
    }

    void badLandmarkModelIsAnErrorNamingIt()
    {
        QTemporaryDir dir;
        const std::filesystem::path missing = dir.filePath("nowhere.dat").toStdString();
        try {
            pae::FaceAligner aligner(missing);
            QFAIL("no error");
        } catch (const pae::Error& e) {
            QVERIFY2(std::string(e.what()).find(missing.string()) != std::string::npos, e.what());
        }
        const std::filesystem::path garbage = dir.filePath("garbage.dat").toStdString();
        std::ofstream(garbage) << "not a model at all";
        try {
            pae::FaceAligner aligner(garbage);
            QFAIL("no error");
        } catch (const pae::Error& e) {
            const std::string m = e.what();
            QVERIFY2(m.find(garbage.string()) != std::string::npos &&
                         m.find("not a dlib shape predictor") != std::string::npos,
                     e.what());
        }
    }

    void cliAlignsAndRefusesAPhotoWithoutAFace()
    {
        using pae::test::runCli;
        QTemporaryDir dir;
        const QString out = dir.filePath("aligned.png");
        auto r = runCli({"align", "--image", QString::fromStdString(kPhoto.string()), "--out", out, "--size", "128"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const pae::ImageRGB aligned = pae::io::readImage(out.toStdString());
        QCOMPARE(aligned.width, 128);
        QCOMPARE(aligned.height, 128);

        const QString wall = dir.filePath("wall.png");
        pae::io::writeImage(pae::ImageRGB{300, 300, std::vector<uint8_t>(300 * 300 * 3, 128)}, wall.toStdString());
        const QString none = dir.filePath("none.png");
        r = runCli({"align", "--image", wall, "--out", none});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(wall) && r.err.contains("no face found"), qPrintable(r.err));
        QVERIFY(!QFile::exists(none));
    }

    void cliInvertsAnAlignedPhoto()
    {
        using pae::test::runCli;
        QTemporaryDir dir;
        const QString fixtures = QStringLiteral(PAE_TEST_DATA_DIR);
        const QString aligned = dir.filePath("aligned.png");
        auto r = runCli({"invert", "--clip", fixtures + "/tiny-clip", "--generator",
                         fixtures + "/tiny-stylegan2/generator.pt", "--device", "cpu", "--image",
                         QString::fromStdString(kPhoto.string()), "--align", "--aligned-out", aligned, "--latent-out",
                         dir.filePath("face.safetensors"), "--steps", "4", "--starts", "2", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("\"aligned\": true"), "the JSON does not say aligned");
        const pae::ImageRGB face = pae::io::readImage(aligned.toStdString());
        QCOMPARE(face.width, face.height); // the generator's size
        QVERIFY(QFile::exists(dir.filePath("face.safetensors")));
        // --aligned-out without --align is a usage error (exit 2), and nothing is written.
        r = runCli({"invert", "--image", QString::fromStdString(kPhoto.string()), "--aligned-out",
                    dir.filePath("x.png"), "--latent-out", dir.filePath("x.safetensors")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(!QFile::exists(dir.filePath("x.safetensors")));
    }
};

QTEST_APPLESS_MAIN(TestAlignment)
#include "tst_alignment.moc"
