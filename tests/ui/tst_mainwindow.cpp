#include "StudioTestModels.h"

#include "ui/EditHistory.h"
#include "ui/MainWindow.h"
#include "ui/PromptBox.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using pae::ui::MainWindow;

namespace {
MainWindow::Options noModels()
{
    MainWindow::Options o;
    o.loadModels = false;
    o.offerRestore = false;
    o.autosaveSeconds = 0;
    return o;
}

QString writePhoto(const QTemporaryDir& dir)
{
    QImage image(64, 48, QImage::Format_RGB888);
    image.fill(QColor(200, 30, 40));
    const QString path = dir.filePath("face.png");
    return image.save(path) ? path : QString();
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { pae::test::isolateUserFiles(m_cache); }

    void shouldShowAnOpenedImage()
    {
        QTemporaryDir dir;
        const QString path = writePhoto(dir);
        QVERIFY(!path.isEmpty());
        MainWindow window(noModels());
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

        MainWindow window(noModels());
        QVERIFY(!window.openImage(path));
        QVERIFY(window.currentImage().isNull());
    }

    // The studio does not run GAN inversion yet: the window says so instead of pretending,
    // names the command that does, and a seed brings editing back.
    void shouldRefuseToEditAPhoto_andSayWhy()
    {
        MainWindow::Options o = noModels();
        o.loadModels = true;
        o.modelPaths = pae::test::tinyModels();
        MainWindow window(o);
        QSignalSpy ready(&window, &MainWindow::modelsReady);
        QSignalSpy faces(&window, &MainWindow::faceShown);
        QVERIFY2(ready.wait(30000), qPrintable(window.lastError()));
        QVERIFY(!faces.isEmpty() || faces.wait(30000));
        QTemporaryDir dir;
        const QString photo = writePhoto(dir);
        QVERIFY(window.openImage(photo));
        QVERIFY(window.isReferenceMode());
        window.promptBox()->setText(QStringLiteral("a happy face"));
        QVERIFY(!window.runEdit());
        QVERIFY(!window.isEditing());
        QVERIFY2(window.lastError().contains(QStringLiteral("inversion")), qPrintable(window.lastError()));
        QVERIFY2(window.lastError().contains(QStringLiteral("pae-cli invert")), qPrintable(window.lastError()));
        QCOMPARE(window.history()->count(), 1); // the seed's face is still there to go back to

        QVERIFY(window.showSeed(7));
        QVERIFY(faces.wait(30000));
        QVERIFY(!window.isReferenceMode());
        QVERIFY(window.runEdit());
        QVERIFY(window.isEditing());
    }

private:
    QTemporaryDir m_cache;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
