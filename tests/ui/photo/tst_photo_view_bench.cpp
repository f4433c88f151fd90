// Opt-in benchmark (label bench): what the photo view costs for every preview frame when the
// photo is large. The astronaut is enlarged to 24 megapixels (4896²); a 1024² face is pasted
// back into it (composeInPhoto), and the canvas takes the frame and draws it.
// Run: ctest --test-dir build -L bench -R photo_view -V
#include "ui/canvas/ImageCanvas.h"
#include "ui/canvas/ImageConversion.h"
#include "ui/photo/PhotoPlacement.h"

#include "core/face/alignment.h"
#include "core/io/image.h"

#include <QtTest/QtTest>

class TestPhotoViewBench : public QObject {
    Q_OBJECT
    pae::ui::PhotoPlacement m_placement;
    QImage m_face;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(pae::FaceAligner::available(), "this build has no dlib");
        const pae::ImageRGB photo = pae::io::readImage(PAE_TEST_DATA_DIR "/photos/astronaut.jpg");
        const pae::AlignedFace found = pae::FaceAligner().align(photo, 1024, "astronaut.jpg");
        const int side = 4896;
        const double k = double(side) / photo.width;
        m_placement.photo = pae::ui::toImageRGB(pae::ui::toQImage(photo).scaled(
            side, int(photo.height * k), Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
        m_placement.landmarks = found.landmarks;
        for (auto& p : m_placement.landmarks.points)
            p = {p[0] * k, p[1] * k};
        m_placement.quad = found.quad;
        for (auto& c : m_placement.quad.corners)
            c = {c[0] * k, c[1] * k};
        m_placement.cropSize = 1024;
        m_placement.facesFound = 1;
        m_face = pae::ui::toQImage(found.image);
        qInfo("photo %d×%d (%.1f MP), face 1024²", m_placement.photo.width, m_placement.photo.height,
              m_placement.photo.width * double(m_placement.photo.height) / 1e6);
    }

    // The face pasted back into the whole photo: once per preview frame.
    void composeInPhoto24MP()
    {
        QImage out;
        QBENCHMARK { out = pae::ui::composeInPhoto(m_placement, m_face); }
        QCOMPARE(out.width(), m_placement.photo.width);
    }

    // The same through the studio's composer, which plans once per face size.
    void composerFrame24MP()
    {
        const pae::ui::PhotoComposer composer(std::make_shared<const pae::ui::PhotoPlacement>(m_placement));
        QImage out = composer.compose(m_face); // the plan
        QBENCHMARK { out = composer.compose(m_face); }
        QCOMPARE(out, pae::ui::composeInPhoto(m_placement, m_face));
    }

    // A preview frame on the canvas (fitted to 1200×800): composed, then drawn.
    void canvasFrame24MP()
    {
        pae::ui::ImageCanvas canvas;
        canvas.resize(1200, 800);
        auto composer =
            std::make_shared<pae::ui::PhotoComposer>(std::make_shared<const pae::ui::PhotoPlacement>(m_placement));
        canvas.setComposer([composer](const QImage& face) { return composer->compose(face); });
        canvas.setImage(m_face);
        QImage shot;
        QBENCHMARK
        {
            canvas.setFrame(m_face);
            shot = canvas.grab().toImage();
        }
        QCOMPARE(shot.width(), 1200);
    }
};

QTEST_MAIN(TestPhotoViewBench)
#include "tst_photo_view_bench.moc"
