#include "ui/MainWindow.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldShowAnOpenedImage()
    {
        QTemporaryDir dir;
        QImage image(64, 48, QImage::Format_RGB888);
        image.fill(QColor(200, 30, 40));
        const QString path = dir.filePath("face.png");
        QVERIFY(image.save(path));

        pae::ui::MainWindow window;
        QVERIFY(window.openImage(path));
        QCOMPARE(window.currentImage().size(), QSize(64, 48));
        QCOMPARE(window.currentImage().pixelColor(3, 3), QColor(200, 30, 40));
    }

    void shouldKeepWorking_whenTheFileIsNotAnImage()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("broken.png");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a png");
        f.close();

        pae::ui::MainWindow window;
        QVERIFY(!window.openImage(path));
        QVERIFY(window.currentImage().isNull());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
