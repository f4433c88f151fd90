#include "ui/canvas/ImageCanvas.h"

#include <QMimeData>
#include <QSignalSpy>
#include <QtTest/QtTest>

using pae::ui::ImageCanvas;

namespace {
QImage gradient(int w, int h)
{
    QImage img(w, h, QImage::Format_RGB888);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            img.setPixelColor(x, y, QColor(x * 255 / w, y * 255 / h, 90));
    return img;
}

void wheel(QWidget* w, const QPointF& pos, int delta)
{
    QWheelEvent e(pos, w->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase,
                  false);
    QApplication::sendEvent(w, &e);
}
} // namespace

class TestImageCanvas : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldFitTheImage_whenItIsSet()
    {
        ImageCanvas c;
        c.resize(600, 400);
        c.setImage(gradient(200, 100));
        QVERIFY(c.isFitted());
        // 8 px margin each side: (600-16)/200 = 2.92 wide, (400-16)/100 = 3.84 high.
        QCOMPARE(c.scale(), 584.0 / 200.0);
        const QPointF center = c.mapFromImage(QPointF(100, 50));
        QCOMPARE(center, QPointF(300, 200));
    }

    // The faces of a photo are framed on the canvas; a click on another face asks for it, a
    // click on the current face or a drag that starts on a face (a pan) does not.
    void shouldAskForAFace_whenItsMarkIsClicked()
    {
        ImageCanvas c;
        c.resize(600, 400);
        c.setImage(gradient(200, 100));
        c.setMarks({{QRectF(10, 10, 50, 50), QStringLiteral("Face 0 · editing"), true},
                    {QRectF(120, 20, 60, 60), QStringLiteral("Face 1"), false}});
        QSignalSpy clicked(&c, &ImageCanvas::markClicked);
        const QPoint onCurrent = c.mapFromImage(QPointF(35, 35)).toPoint();
        const QPoint onOther = c.mapFromImage(QPointF(150, 50)).toPoint();
        const QPoint offBoth = c.mapFromImage(QPointF(100, 90)).toPoint();
        QCOMPARE(c.markAt(onOther), 1);
        QCOMPARE(c.markAt(offBoth), -1);
        QTest::mouseClick(&c, Qt::LeftButton, Qt::NoModifier, onCurrent);
        QTest::mouseClick(&c, Qt::LeftButton, Qt::NoModifier, offBoth);
        QVERIFY(clicked.isEmpty());
        QTest::mousePress(&c, Qt::LeftButton, Qt::NoModifier, onOther);
        QTest::mouseMove(&c, onOther + QPoint(40, 0));
        QTest::mouseRelease(&c, Qt::LeftButton, Qt::NoModifier, onOther + QPoint(40, 0));
        QVERIFY(clicked.isEmpty()); // a pan
        QTest::mouseClick(&c, Qt::LeftButton, Qt::NoModifier, c.mapFromImage(QPointF(150, 50)).toPoint());
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.first().first().toInt(), 1);
        // The marks are drawn: on the frame's edge the canvas differs from the canvas without.
        const QImage marked = c.grab().toImage();
        c.setMarks({});
        QCOMPARE(c.markAt(onOther), -1);
        const QImage plain = c.grab().toImage();
        const QPoint edge = c.mapFromImage(QPointF(120, 50)).toPoint();
        QVERIFY2(marked.pixelColor(edge) != plain.pixelColor(edge), "the mark is not drawn");
        QCOMPARE(marked.pixelColor(offBoth), plain.pixelColor(offBoth));
    }

    void shouldKeepThePointUnderTheCursor_whenZoomingWithTheWheel_data()
    {
        QTest::addColumn<QPointF>("cursor");
        QTest::addColumn<int>("delta");
        QTest::newRow("zoom in at top left") << QPointF(120, 90) << 120;
        QTest::newRow("zoom in twice at right") << QPointF(500, 300) << 240;
        QTest::newRow("zoom out at center") << QPointF(310, 205) << -360;
    }
    void shouldKeepThePointUnderTheCursor_whenZoomingWithTheWheel()
    {
        QFETCH(QPointF, cursor);
        QFETCH(int, delta);
        ImageCanvas c;
        c.resize(600, 400);
        c.setImage(gradient(200, 100));
        const double before = c.scale();
        const QPointF imagePoint = c.mapToImage(cursor);
        wheel(&c, cursor, delta);
        QVERIFY(!c.isFitted());
        QVERIFY(delta > 0 ? c.scale() > before : c.scale() < before);
        const QPointF after = c.mapFromImage(imagePoint);
        QVERIFY2(std::abs(after.x() - cursor.x()) < 1e-6 && std::abs(after.y() - cursor.y()) < 1e-6,
                 qPrintable(QStringLiteral("moved to %1,%2").arg(after.x()).arg(after.y())));
    }

    void shouldPan_whenDraggedWithTheMouse()
    {
        ImageCanvas c;
        c.resize(600, 400);
        c.setImage(gradient(200, 100));
        const QPointF before = c.offset();
        QTest::mousePress(&c, Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        QTest::mouseMove(&c, QPoint(140, 130));
        QTest::mouseMove(&c, QPoint(160, 125));
        QTest::mouseRelease(&c, Qt::LeftButton, Qt::NoModifier, QPoint(160, 125));
        QCOMPARE(c.offset(), before + QPointF(60, 25));
        QVERIFY(!c.isFitted());
    }

    void shouldKeepTheView_whenANewFrameArrives()
    {
        ImageCanvas c;
        c.resize(600, 400);
        c.setImage(gradient(200, 100));
        wheel(&c, QPointF(250, 150), 240);
        const double scale = c.scale();
        const QPointF offset = c.offset();
        c.setFrame(gradient(200, 100).mirrored());
        QCOMPARE(c.scale(), scale);
        QCOMPARE(c.offset(), offset);
        // A frame at twice the resolution covers the same screen rectangle.
        const QPointF corner = c.mapFromImage(QPointF(200, 100));
        c.setFrame(gradient(400, 200));
        QCOMPARE(c.scale(), scale / 2);
        QCOMPARE(c.mapFromImage(QPointF(400, 200)), corner);
    }

    void shouldShowBeforeOnTheLeftOfTheHandle_whenSplitIsDragged()
    {
        ImageCanvas c;
        c.resize(416, 216);
        QImage after(200, 100, QImage::Format_RGB888);
        after.fill(Qt::red);
        QImage before(200, 100, QImage::Format_RGB888);
        before.fill(Qt::blue);
        c.setImage(after);
        c.setBeforeImage(before);
        c.setSplitEnabled(true);
        QCOMPARE(c.splitPosition(), 0.5);
        // Fitted at scale 2 with the image at (8, 8): the handle is at x = 8 + 0.5 * 400.
        const QPoint handle(208, 108);
        QTest::mousePress(&c, Qt::LeftButton, Qt::NoModifier, handle);
        QTest::mouseMove(&c, QPoint(308, 110));
        QTest::mouseRelease(&c, Qt::LeftButton, Qt::NoModifier, QPoint(308, 110));
        QCOMPARE(c.splitPosition(), 0.75);
        QVERIFY(c.isFitted()); // dragging the handle is not a pan
        const QImage shot = c.grab().toImage();
        const qreal dpr = shot.devicePixelRatio();
        QCOMPARE(shot.pixelColor(QPoint(100 * dpr, 60 * dpr)), QColor(Qt::blue));
        QCOMPARE(shot.pixelColor(QPoint(370 * dpr, 60 * dpr)), QColor(Qt::red));
    }

    void shouldShowTheOriginal_whileSpaceIsHeld()
    {
        ImageCanvas c;
        c.resize(416, 216);
        QImage after(200, 100, QImage::Format_RGB888);
        after.fill(Qt::red);
        QImage before(200, 100, QImage::Format_RGB888);
        before.fill(Qt::blue);
        c.setImage(after);
        c.setBeforeImage(before);
        QTest::keyPress(&c, Qt::Key_Space);
        QVERIFY(c.isShowingBefore());
        QCOMPARE(c.grab().toImage().pixelColor(QPoint(300, 150)), QColor(Qt::blue));
        QTest::keyRelease(&c, Qt::Key_Space);
        QVERIFY(!c.isShowingBefore());
        QCOMPARE(c.grab().toImage().pixelColor(QPoint(300, 150)), QColor(Qt::red));
    }

    void shouldEmitThePath_whenAFileIsDropped()
    {
        ImageCanvas c;
        c.resize(300, 300);
        QSignalSpy spy(&c, &ImageCanvas::fileDropped);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QStringLiteral("/tmp/face.safetensors"))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&c, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&c, &drop);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().first().toString(), QStringLiteral("/tmp/face.safetensors"));
    }

    void shouldShowOneImagePixelPerDevicePixel_whenAtActualSize()
    {
        ImageCanvas c;
        c.resize(300, 300);
        c.setImage(gradient(64, 64));
        c.actualSize();
        QCOMPARE(c.zoomPercent(), 100.0);
    }
};

QTEST_MAIN(TestImageCanvas)
#include "tst_imagecanvas.moc"
