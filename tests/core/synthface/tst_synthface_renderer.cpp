#include "core/synthface/attributes.h"
#include "core/io/image.h"
#include "core/synthface/renderer.h"
#include "core/util/error.h"

#include <QtTest/QtTest>

#include <cmath>
#include <fstream>

using namespace pae::synthface;

namespace {

struct PixelBox {
    int x0, y0, x1, y1; // inclusive-exclusive
    bool contains(int x, int y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
};

// The region's pixels plus one pixel of anti-aliasing fringe around it.
PixelBox toPixels(UnitBox b, int size)
{
    return {int(std::floor(b.x0 * size)) - 1, int(std::floor(b.y0 * size)) - 1, int(std::ceil(b.x1 * size)) + 1,
            int(std::ceil(b.y1 * size)) + 1};
}

struct Diff {
    int inside = 0;
    int outside = 0;
};

Diff diffAgainst(const pae::ImageRGB& a, const pae::ImageRGB& b, const PixelBox& box)
{
    Diff d;
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            const size_t i = (size_t(y) * a.width + x) * 3;
            const bool differs = a.pixels[i] != b.pixels[i] || a.pixels[i + 1] != b.pixels[i + 1] ||
                                 a.pixels[i + 2] != b.pixels[i + 2];
            if (differs)
                (box.contains(x, y) ? d.inside : d.outside)++;
        }
    return d;
}

int darkPixels(const pae::ImageRGB& im, const PixelBox& box)
{
    int n = 0;
    for (int y = std::max(0, box.y0); y < std::min(im.height, box.y1); ++y)
        for (int x = std::max(0, box.x0); x < std::min(im.width, box.x1); ++x) {
            const uint8_t* p = &im.pixels[(size_t(y) * im.width + x) * 3];
            n += (p[0] < 100 && p[1] < 100 && p[2] < 110) ? 1 : 0;
        }
    return n;
}

Attributes face()
{
    Attributes a;
    a.set(Attr::HairColor, float(int(HairColorIndex::Blonde)));
    a.set(Attr::HairLength, 0.8f);
    return a;
}

Attributes with(Attributes a, Attr attr, float value)
{
    a.set(attr, value);
    return a;
}

} // namespace

class TestSynthfaceRenderer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldGiveSameBytes_whenSameSeed()
    {
        for (uint64_t seed : {0ull, 7ull, 123456789ull}) {
            QVERIFY(sampleAttributes(seed) == sampleAttributes(seed));
            const auto a = render(sampleAttributes(seed), 128);
            const auto b = render(sampleAttributes(seed), 128);
            QVERIFY(a.pixels == b.pixels);
        }
    }

    void shouldDrawDifferentFaces_whenSeedsDiffer()
    {
        QVERIFY(sampleAttributes(1) != sampleAttributes(2));
        QVERIFY(render(sampleAttributes(1), 64).pixels != render(sampleAttributes(2), 64).pixels);
    }

    // Training sets are stored as seeds: the stream from a seed must never drift.
    void shouldKeepTheSampledStream_forAFixedSeed()
    {
        QCOMPARE(uniform01(0), 0.0);
        QCOMPARE(uniform01(~0ull), 1.0 - std::ldexp(1.0, -53));
        QCOMPARE(uniform01(1ull << 63), 0.5);
        std::mt19937_64 rng(5489u);
        rng.discard(9999);
        QCOMPARE(uint64_t(rng()), uint64_t(9981545732273789042ull)); // fixed by the C++ standard

        const Attributes a = sampleAttributes(42);
        const Attributes b = sampleAttributes(42);
        QVERIFY(a == b);
        for (const AttrInfo& i : attributeTable()) {
            const float v = a[i.attr];
            QVERIFY2(v >= i.minValue && v <= i.maxValue, i.name);
        }
    }

    void shouldCoverEveryValue_whenSamplingManyFaces()
    {
        int bald = 0, glasses = 0, beard = 0;
        int colors[kHairColorCount] = {};
        float minSmile = 1, maxSmile = -1;
        for (uint64_t s = 0; s < 2000; ++s) {
            const Attributes a = sampleAttributes(s);
            bald += a.bald();
            glasses += a.glasses();
            beard += a.beard();
            colors[int(a.hairColor())]++;
            minSmile = std::min(minSmile, a.smile());
            maxSmile = std::max(maxSmile, a.smile());
        }
        QVERIFY(bald > 380 && bald < 620);       // p = 0.25
        QVERIFY(glasses > 480 && glasses < 720); // p = 0.3
        QVERIFY(beard > 380 && beard < 620);     // p = 0.25
        for (int c : colors)
            QVERIFY(c > 300);
        QVERIFY(minSmile < -0.95f && maxSmile > 0.95f);
    }

    void shouldChangeOnlyTheMouth_whenMouthAttributesChange_data()
    {
        QTest::addColumn<int>("attr");
        QTest::addColumn<float>("from");
        QTest::addColumn<float>("to");
        QTest::newRow("smile") << int(Attr::Smile) << -1.f << 1.f;
        QTest::newRow("mouth open") << int(Attr::MouthOpen) << 0.f << 1.f;
        QTest::newRow("mouth width") << int(Attr::MouthWidth) << 0.f << 1.f;
    }
    void shouldChangeOnlyTheMouth_whenMouthAttributesChange()
    {
        QFETCH(int, attr);
        QFETCH(float, from);
        QFETCH(float, to);
        for (int size : {64, 128}) {
            const auto a = render(with(face(), Attr(attr), from), size);
            const auto b = render(with(face(), Attr(attr), to), size);
            const Diff d = diffAgainst(a, b, toPixels(mouthRegion(), size));
            QVERIFY2(d.inside > size * size / 400, qPrintable(QString("only %1 pixels changed").arg(d.inside)));
            QCOMPARE(d.outside, 0);
        }
    }

    void shouldChangeOnlyTheEyes_whenEyeAttributesChange_data()
    {
        QTest::addColumn<int>("attr");
        QTest::newRow("eye size") << int(Attr::EyeSize);
        QTest::newRow("eye opening") << int(Attr::EyeOpen);
    }
    void shouldChangeOnlyTheEyes_whenEyeAttributesChange()
    {
        QFETCH(int, attr);
        const auto a = render(with(face(), Attr(attr), 0.f), 128);
        const auto b = render(with(face(), Attr(attr), 1.f), 128);
        const Diff d = diffAgainst(a, b, toPixels(eyesRegion(), 128));
        QVERIFY(d.inside > 100);
        QCOMPARE(d.outside, 0);
    }

    void shouldLeaveHairAlone_whenSmileChanges()
    {
        const PixelBox hair = toPixels(hairTopRegion(), 128);
        const Diff d = diffAgainst(render(with(face(), Attr::Smile, -1.f), 128),
                                   render(with(face(), Attr::Smile, 1.f), 128), hair);
        QCOMPARE(d.inside, 0);
    }

    // On a wide face: the jaw of a narrow one comes near the mouth box's lower corners,
    // and the hair behind it shows through the jaw line's anti-aliasing.
    void shouldRecolourHairButNotTheMouth_whenHairColourChanges()
    {
        const Attributes wide = with(face(), Attr::FaceWidth, 1.f);
        const auto a = render(with(wide, Attr::HairColor, float(int(HairColorIndex::Black))), 128);
        const auto b = render(with(wide, Attr::HairColor, float(int(HairColorIndex::Red))), 128);
        const PixelBox hair = toPixels(hairTopRegion(), 128);
        QVERIFY(diffAgainst(a, b, hair).inside > (hair.x1 - hair.x0) * (hair.y1 - hair.y0) / 3);
        QCOMPARE(diffAgainst(a, b, toPixels(mouthRegion(), 128)).inside, 0);
    }

    void shouldShowScalp_whenBald()
    {
        const Attributes wide = with(face(), Attr::FaceWidth, 1.f);
        const auto hairy = render(wide, 128);
        const auto bald = render(with(wide, Attr::Bald, 1.f), 128);
        const PixelBox hair = toPixels(hairTopRegion(), 128);
        QVERIFY(diffAgainst(hairy, bald, hair).inside > (hair.x1 - hair.x0) * (hair.y1 - hair.y0) / 3);
        QCOMPARE(diffAgainst(hairy, bald, toPixels(mouthRegion(), 128)).inside, 0);
    }

    void shouldDrawDarkFrames_whenGlasses()
    {
        for (int size : {64, 128}) {
            const PixelBox eyes = toPixels(eyesRegion(), size);
            const int without = darkPixels(render(face(), size), eyes);
            const int withGlasses = darkPixels(render(with(face(), Attr::Glasses, 1.f), size), eyes);
            // Frames add two rings around the eyes: many more near-black pixels.
            QVERIFY2(withGlasses > without + size * size / 100,
                     qPrintable(QString("%1 vs %2 dark pixels").arg(withGlasses).arg(without)));
        }
    }

    void shouldCoverTheChin_whenBeard()
    {
        const auto a = render(face(), 128);
        const auto b = render(with(face(), Attr::Beard, 1.f), 128);
        const PixelBox chin = toPixels({0.45, 0.82, 0.55, 0.9}, 128);
        QVERIFY(diffAgainst(a, b, chin).inside > (chin.x1 - chin.x0) * (chin.y1 - chin.y0) / 2);
    }

    void shouldRenderTheRequestedSize_data()
    {
        QTest::addColumn<int>("size");
        QTest::newRow("smallest") << kMinRenderSize;
        QTest::newRow("64") << 64;
        QTest::newRow("100") << 100;
        QTest::newRow("128") << 128;
        QTest::newRow("256") << 256;
        QTest::newRow("largest") << kMaxRenderSize;
    }
    void shouldRenderTheRequestedSize()
    {
        QFETCH(int, size);
        const auto im = render(sampleAttributes(3), size);
        QCOMPARE(im.width, size);
        QCOMPARE(im.height, size);
        QCOMPARE(im.pixels.size(), size_t(size) * size * 3);
    }

    void shouldRefuse_whenSizeOutOfRange()
    {
        for (int size : {0, -64, kMinRenderSize - 1, kMaxRenderSize + 1}) {
            try {
                render(Attributes(), size);
                QFAIL("no error for a bad size");
            } catch (const pae::Error& e) {
                QVERIFY(QString(e.what()).contains(QString::number(size)));
            }
        }
    }

    void shouldDrawAnAmountBetweenAbsentAndPresent()
    {
        const auto meanDiff = [](const pae::ImageRGB& a, const pae::ImageRGB& b) {
            double sum = 0;
            for (size_t i = 0; i < a.pixels.size(); ++i)
                sum += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
            return sum / double(a.pixels.size());
        };
        for (Attr attr : {Attr::Beard, Attr::Bald, Attr::HairColor}) {
            Attributes lo = face(), mid = face(), hi = face();
            const float from = attr == Attr::HairColor ? 1.f : 0.f;
            lo.set(attr, from);
            mid.set(attr, from + 0.5f);
            hi.set(attr, from + 1.f);
            const auto a = render(lo, 64), m = render(mid, 64), b = render(hi, 64);
            const double ends = meanDiff(a, b);
            QVERIFY2(ends > 1.0, name(attr));
            // Half of it is drawn: about half-way from either end, closer to each than they are to each other.
            QVERIFY2(meanDiff(a, m) > 0.25 * ends && meanDiff(a, m) < 0.75 * ends, name(attr));
            QVERIFY2(meanDiff(m, b) > 0.25 * ends && meanDiff(m, b) < 0.75 * ends, name(attr));
        }
    }

    void shouldRefuseBadAttributeValues_withTheAttributeNamed()
    {
        Attributes a;
        const auto refuses = [&](Attr attr, float v) {
            try {
                a.set(attr, v);
            } catch (const pae::Error& e) {
                return QString(e.what()).contains(name(attr));
            }
            return false;
        };
        QVERIFY(refuses(Attr::Smile, 1.5f));
        QVERIFY(refuses(Attr::MouthOpen, -0.1f));
        QVERIFY(refuses(Attr::EyeSize, std::nanf("")));
        QVERIFY(refuses(Attr::Glasses, 1.5f));
        QVERIFY(refuses(Attr::Beard, -0.25f));
        QVERIFY(refuses(Attr::HairColor, -0.5f));
        QVERIFY(refuses(Attr::HairColor, float(kHairColorCount)));
        QVERIFY(refuses(Attr::BackgroundHue, 1.0f));
        QVERIFY(a == Attributes());
        std::array<float, kAttrCount> v = Attributes().values();
        v[int(Attr::Beard)] = 2.f;
        QVERIFY_THROWS_EXCEPTION(pae::Error, Attributes::fromValues(v));
    }

    void shouldMapCorporaToAttributes()
    {
        QCOMPARE(attributesOfCorpus("hair-colour"), std::vector<Attr>{Attr::HairColor});
        const std::vector<Attr> eyes{Attr::EyeSize, Attr::EyeOpen};
        QCOMPARE(attributesOfCorpus("eyes"), eyes);
        const std::vector<Attr> identity{Attr::SkinTone, Attr::FaceWidth, Attr::BackgroundHue};
        QCOMPARE(identityAttributes(), identity);
        QVERIFY_THROWS_EXCEPTION(pae::UsageError, attributesOfCorpus("hats"));
        QCOMPARE(attrFromName("brow_angle"), Attr::BrowAngle);
        QVERIFY_THROWS_EXCEPTION(pae::UsageError, attrFromName("nose"));
    }

    void shouldTileAndWriteImages()
    {
        std::vector<pae::ImageRGB> ims;
        for (int i = 0; i < 5; ++i)
            ims.push_back(render(sampleAttributes(i), 32));
        const auto sheet = tileImages(ims, 3, 2);
        QCOMPARE(sheet.width, 3 * 32 + 4 * 2);
        QCOMPARE(sheet.height, 2 * 32 + 3 * 2);
        // The second face's first row sits right of the first face and one gap.
        QVERIFY(std::equal(ims[1].pixels.begin(), ims[1].pixels.begin() + 32 * 3,
                           sheet.pixels.begin() + (size_t(2) * sheet.width + 2 + 32 + 2) * 3));
        ims.push_back(render(sampleAttributes(9), 64));
        QVERIFY_THROWS_EXCEPTION(pae::Error, tileImages(ims, 3, 2));

        QTemporaryDir dir;
        const std::string path = (dir.path() + "/sheet.png").toStdString();
        pae::io::writeImage(sheet, path);
        std::ifstream in(path, std::ios::binary);
        char magic[8] = {};
        in.read(magic, 8);
        QCOMPARE(QByteArray(magic, 8), QByteArray("\x89PNG\r\n\x1a\n", 8));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::io::writeImage(sheet, (dir.path() + "/sheet.gif").toStdString()));
    }

    void benchmarkRender_data()
    {
        QTest::addColumn<int>("size");
        QTest::newRow("64") << 64;
        QTest::newRow("128") << 128;
    }
    void benchmarkRender()
    {
        QFETCH(int, size);
        const Attributes a = sampleAttributes(11);
        QBENCHMARK { render(a, size); }
    }
};

QTEST_GUILESS_MAIN(TestSynthfaceRenderer)
#include "tst_synthface_renderer.moc"
