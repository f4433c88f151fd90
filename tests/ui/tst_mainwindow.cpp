#include "StudioTestModels.h"

#include "ui/MainWindow.h"
#include "ui/canvas/ImageCanvas.h"
#include "ui/export/ExportController.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/SliderSpinBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/photo/PhotoFaces.h"
#include "ui/photo/PhotoPlacement.h"
#include "ui/session/EditHistory.h"

#include <QColorSpace>
#include <QPainter>
#include <QProcess>
#include <QSignalSpy>
#include <QStatusBar>
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

MainWindow::Options withTinyModels()
{
    MainWindow::Options o = noModels();
    o.loadModels = true;
    o.modelPaths = pae::test::tinyModels();
    return o;
}

// The models loaded and the seed's face shown.
bool waitForTheFirstFace(MainWindow& window)
{
    QSignalSpy ready(&window, &MainWindow::modelsReady);
    QSignalSpy faces(&window, &MainWindow::faceShown);
    if (!ready.wait(30000))
        return false;
    return !faces.isEmpty() || faces.wait(30000);
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

    void shouldRefuseAPhoto_whenNoModelsAreLoaded()
    {
        QTemporaryDir dir;
        const QString path = writePhoto(dir);
        QVERIFY(!path.isEmpty());
        MainWindow window(noModels());
        QVERIFY(!window.openImage(path));
        QVERIFY2(window.lastError().contains(QStringLiteral("face.png")), qPrintable(window.lastError()));
        QVERIFY(window.currentImage().isNull());
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
        QVERIFY2(window.lastError().contains(QStringLiteral("broken.png")), qPrintable(window.lastError()));
        QVERIFY(window.currentImage().isNull());
    }

    // A photo shows at once, is inverted off the GUI thread, and its latent's face starts a
    // new history that edits like any other; Run waits for the inversion.
    void shouldInvertAPhoto_andEditTheFaceItBecomes()
    {
        MainWindow window(withTinyModels());
        QVERIFY(waitForTheFirstFace(window));
        window.setAlignPhotos(false); // a red rectangle: no face to find
        QSignalSpy faces(&window, &MainWindow::faceShown);
        QTemporaryDir dir;
        const QString photo = writePhoto(dir);
        QVERIFY(window.openImage(photo));
        QVERIFY(window.isReferenceMode());
        QCOMPARE(window.currentImage().size(), QSize(64, 48)); // the photo, while it is inverted
        QCOMPARE(window.currentImage().pixelColor(3, 3), QColor(200, 30, 40));
        window.promptBox()->setText(QStringLiteral("a happy face"));
        QVERIFY(!window.runEdit()); // not before the photo is a face

        // The tiny models' inversion takes about 50 s on a quiet 2-core machine; this waits for
        // it, it does not time it (bench does).
        QVERIFY2(faces.wait(300000), qPrintable(window.lastError()));
        QVERIFY(!window.isReferenceMode());
        QCOMPARE(window.history()->count(), 1);
        const auto& entry = window.history()->current();
        QCOMPARE(int(entry.kind), int(pae::ui::HistoryEntry::Kind::Photo));
        QCOMPARE(entry.sourceFile, QFileInfo(photo).absoluteFilePath());
        QVERIFY2(entry.label.contains(QStringLiteral("inverted")), qPrintable(entry.label));
        QVERIFY(!entry.latent.empty());
        // The face is the latent's image, not the photo: the generator's size and square.
        QCOMPARE(window.currentImage().width(), window.currentImage().height());
        QVERIFY(window.runEdit());
        QVERIFY(window.isEditing());
    }

    void shouldCancelAPhotoInversion_andKeepTheFace()
    {
        MainWindow window(withTinyModels());
        QVERIFY(waitForTheFirstFace(window));
        window.setAlignPhotos(false);
        QSignalSpy faces(&window, &MainWindow::faceShown);
        const QImage seedFace = window.currentImage();
        QTemporaryDir dir;
        QVERIFY(window.openImage(writePhoto(dir)));
        QVERIFY(window.isInverting());
        window.cancelWork();
        QVERIFY(!window.isInverting());
        QVERIFY(!window.isReferenceMode());
        QCOMPARE(window.currentImage(), seedFace); // back to the seed's face
        QVERIFY(!faces.wait(1500));                // and the photo never becomes one
        QCOMPARE(window.history()->count(), 1);
        QCOMPARE(int(window.history()->current().kind), int(pae::ui::HistoryEntry::Kind::Seed));
    }

    // Real (non-built-in) models align photos by default: the astronaut's face is found,
    // cropped and inverted, and the history says so.
    void shouldAlignAPhoto_forRealModels()
    {
        MainWindow window(withTinyModels());
        QVERIFY(waitForTheFirstFace(window));
        QVERIFY(window.alignsPhotos());
        QSignalSpy faces(&window, &MainWindow::faceShown);
        const QString photo = QStringLiteral(PAE_TEST_DATA_DIR "/photos/astronaut.jpg");
        QVERIFY(window.openImage(photo));
        // Detection, alignment and 300 inversion steps: ~15 s alone, over a minute on a busy machine.
        QVERIFY2(faces.wait(240000), qPrintable(window.lastError()));
        const auto& entry = window.history()->current();
        QCOMPARE(int(entry.kind), int(pae::ui::HistoryEntry::Kind::Photo));
        QVERIFY2(entry.label.startsWith(QStringLiteral("astronaut.jpg (aligned, inverted, ")), qPrintable(entry.label));

        // The face goes back into the photo: the canvas shows the whole photo, Export image
        // writes it at the photo's size, and away from her face every pixel is the photo's.
        const QImage original = QImage(photo).convertToFormat(QImage::Format_RGB888);
        QVERIFY(window.photoPlacement());
        QVERIFY(window.showsInPhoto());
        auto* canvas = window.findChild<pae::ui::ImageCanvas*>();
        QVERIFY(canvas);
        QCOMPARE(canvas->shownImage().size(), original.size());
        QCOMPARE(window.currentImage().size(), entry.image.size()); // the face itself is unchanged
        QTemporaryDir dir;
        window.exports()->exportImage(dir.filePath(QStringLiteral("in-photo.png")), false);
        const QImage exported =
            QImage(dir.filePath(QStringLiteral("in-photo.png"))).convertToFormat(QImage::Format_RGB888);
        QCOMPARE(exported.size(), original.size());
        QCOMPARE(exported.copy(0, 0, 60, 60), original.copy(0, 0, 60, 60));
        QVERIFY(exported != original); // her face is the generator's now
        // The toggle, as a user finds it in the View menu: off shows and exports the face alone.
        QAction* toggle = nullptr;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->text() == QStringLiteral("Show in &photo"))
                toggle = a;
        QVERIFY(toggle && toggle->isEnabled() && toggle->isChecked());
        toggle->trigger();
        QVERIFY(!window.showsInPhoto());
        QCOMPARE(canvas->shownImage().size(), entry.image.size());
        window.exports()->exportImage(dir.filePath(QStringLiteral("face.png")), false);
        QCOMPARE(QImage(dir.filePath(QStringLiteral("face.png"))).size(), entry.image.size());
        toggle->trigger();
        QCOMPARE(canvas->shownImage().size(), original.size());
        // Another face (a seed) has no photo: the toggle goes off and the canvas shows the face.
        QSignalSpy seeds(&window, &MainWindow::faceShown);
        pae::test::MessageBoxAnswer discard(QMessageBox::Discard);
        QVERIFY(window.showSeed(5));
        QVERIFY2(seeds.wait(60000), qPrintable(window.lastError()));
        QVERIFY(!window.photoPlacement());
        QVERIFY(!toggle->isEnabled());
        QCOMPARE(canvas->shownImage().size(), window.currentImage().size());
    }

    // Two faces in one photo (her and her mirror image): the first is the largest-first face 0;
    // both are framed on the canvas, a click edits the other, each keeps its own history, and
    // every edited face is pasted back into the one photo (export and session alike).
    void shouldOfferEveryFaceOfAPhoto()
    {
        MainWindow window(withTinyModels());
        QVERIFY(waitForTheFirstFace(window));
        QImage two = pae::test::twoFacesPhoto();
        const int herWidth = two.width() / 2;
        two.setColorSpace(QColorSpace(QColorSpace::DisplayP3)); // a photo with an ICC profile
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two.png"));
        QVERIFY(two.save(path));
        QSignalSpy faces(&window, &MainWindow::faceShown);
        QVERIFY(window.openImage(path));
        QVERIFY2(faces.wait(240000), qPrintable(window.lastError()));
        const pae::ui::PhotoPlacement* first = window.photoPlacement();
        QVERIFY(first);
        QCOMPARE(first->facesFound, 2);
        QCOMPARE(first->face, 0);
        QCOMPARE(window.canvas()->shownImage().size(), two.size());
        const double firstX = first->quad.centre()[0];
        // Exported in its photo, the picture keeps the photo's colour profile (PNG and JPEG).
        for (const QString& name : {QStringLiteral("export.png"), QStringLiteral("export.jpg")}) {
            window.exports()->exportImage(dir.filePath(name), false);
            const QImage exported(dir.filePath(name));
            QCOMPARE(exported.size(), two.size());
            QVERIFY2(exported.colorSpace() == QColorSpace(QColorSpace::DisplayP3),
                     qPrintable(name + QStringLiteral(": ") + exported.colorSpace().description()));
        }
        QAction* other = nullptr;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->text() == QStringLiteral("Another face in this p&hoto…"))
                other = a;
        QVERIFY(other && other->isEnabled());
        pae::test::MessageBoxAnswer discard(QMessageBox::Discard); // when a session replaces unsaved faces

        // Face 0 edited, in its photo.
        window.resize(1366, 768);
        window.show();
        window.strengthPanel()->stepsControl()->setValue(3);
        window.promptBox()->setText(QStringLiteral("a happy face"));
        QSignalSpy edits(&window, &MainWindow::editFinished);
        QVERIFY(window.runEdit());
        QVERIFY2(edits.wait(120000), qPrintable(window.lastError()));
        QCOMPARE(window.history()->count(), 2);
        window.exports()->exportImage(dir.filePath(QStringLiteral("face0.png")), false);
        const QImage face0 = QImage(dir.filePath(QStringLiteral("face0.png"))).convertToFormat(QImage::Format_RGB888);
        // The inner half of each face's box: no other face's mask reaches it.
        const auto inner = [](const std::array<int, 4>& b) {
            return QRect(b[0] + b[2] / 4, b[1] + b[3] / 4, b[2] / 2, b[3] / 2);
        };
        const QRect inner0 = inner(first->faceBoxes[0]);
        const QRect inner1 = inner(first->faceBoxes[1]);
        const QImage original = two.convertToFormat(QImage::Format_RGB888);
        QVERIFY(face0.copy(inner0) != original.copy(inner0));
        QCOMPARE(face0.copy(inner1), original.copy(inner1)); // face 1 is still the photo's

        // The canvas frames both faces; a click on face 1 edits it: face 0 keeps its history.
        auto* canvas = window.canvas();
        QCOMPARE(canvas->marks().size(), 2);
        QVERIFY(canvas->marks()[0].current);
        QCOMPARE(canvas->marks()[1].label, QStringLiteral("Face 1"));
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier,
                          canvas->mapFromImage(canvas->marks()[1].box.center()).toPoint());
        QVERIFY(window.isInverting());
        QVERIFY2(faces.wait(240000), qPrintable(window.lastError()));
        const pae::ui::PhotoPlacement* second = window.photoPlacement();
        QVERIFY(second);
        QCOMPARE(second->face, 1);
        QCOMPARE(window.history()->count(), 1);
        QVERIFY2(window.history()->current().label.startsWith(QStringLiteral("two.png, face 1 (aligned, inverted")),
                 qPrintable(window.history()->current().label));
        // The other half of the picture.
        QVERIFY2(std::abs(second->quad.centre()[0] - firstX) > herWidth / 2,
                 qPrintable(QString("%1 and %2").arg(second->quad.centre()[0]).arg(firstX)));
        QCOMPARE(window.canvas()->shownImage().size(), two.size());
        const double secondX = second->quad.centre()[0];
        const pae::ui::PhotoFaces::Face* kept = window.otherFacesInPhoto().find(0);
        QVERIFY(kept);
        QCOMPARE(kept->work.entries.size(), 2);
        QCOMPARE(kept->work.current, 1);
        QCOMPARE(canvas->marks()[0].label, QStringLiteral("Face 0 · 1 edit(s)"));
        QCOMPARE(canvas->marks()[1].label, QStringLiteral("Face 1 · editing"));
        // Both faces go back into the one photo: face 0 as edited, face 1 as now.
        window.exports()->exportImage(dir.filePath(QStringLiteral("both.png")), false);
        const QImage both = QImage(dir.filePath(QStringLiteral("both.png"))).convertToFormat(QImage::Format_RGB888);
        QCOMPARE(both.copy(inner0), face0.copy(inner0));
        QVERIFY(both.copy(inner1) != original.copy(inner1));

        // Back to face 0: at once (no inversion), with its edit.
        QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier,
                          canvas->mapFromImage(canvas->marks()[0].box.center()).toPoint());
        QVERIFY(!window.isLoadingFace());
        QCOMPARE(window.photoPlacement()->face, 0);
        QCOMPARE(window.history()->count(), 2);
        QCOMPARE(window.history()->currentIndex(), 1);
        QCOMPARE(canvas->marks()[1].label, QStringLiteral("Face 1 · inverted"));

        // Saved and opened again: every face is back, each with its history, in its photo.
        const QString session = dir.filePath(QStringLiteral("two.paesession"));
        window.saveSession(session, false);
        QVERIFY(window.openSession(session));
        QVERIFY2(faces.wait(120000), qPrintable(window.lastError()));
        QVERIFY(window.photoPlacement());
        QCOMPARE(window.photoPlacement()->face, 0);
        QCOMPARE(window.history()->count(), 2);
        QCOMPARE(window.canvas()->shownImage().size(), two.size());
        QVERIFY(window.otherFacesInPhoto().find(1));
        QVERIFY(window.editFaceInPhoto(1));
        QVERIFY(!window.isLoadingFace());
        QCOMPARE(window.photoPlacement()->face, 1);
        QCOMPARE(window.photoPlacement()->quad.centre()[0], secondX);
        QCOMPARE(window.otherFacesInPhoto().find(0)->work.current, 1);
        QVERIFY(!window.editFaceInPhoto(2)); // there is no face 2
        QVERIFY2(window.lastError().contains(QStringLiteral("face 2 asked for, but 2 faces were found")),
                 qPrintable(window.lastError()));
        // The photo changed since: the face alone, and a message naming the photo; the other
        // face's work is still kept (and saved with the session).
        QImage changed = two;
        changed.fill(Qt::gray);
        QVERIFY(changed.save(path));
        QVERIFY(window.openSession(session));
        QVERIFY2(faces.wait(120000), qPrintable(window.lastError()));
        QVERIFY(!window.photoPlacement());
        QCOMPARE(window.canvas()->shownImage().size(), window.currentImage().size());
        QVERIFY2(window.statusBar()->currentMessage().contains(path) &&
                     window.statusBar()->currentMessage().contains(QStringLiteral("changed")) &&
                     window.statusBar()->currentMessage().contains(QStringLiteral("other face")),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(window.otherFacesInPhoto().count(), 1);
        QCOMPARE(window.sessionData().otherFaces.size(), 1);
    }

    // The built-in world's drawn faces are not what a photo face detector finds: off there.
    void shouldNotAlignPhotos_forTheBuiltinModels()
    {
        QVERIFY2(pae::test::builtinModelsPresent(), "the built-in SynthFace models are missing");
        MainWindow::Options o = noModels();
        o.loadModels = true; // no paths: the built-in models
        MainWindow window(o);
        QVERIFY(waitForTheFirstFace(window));
        QVERIFY(!window.alignsPhotos());
    }

    // A photo without a face, alignment on: an error naming the file, and the seed's face stays.
    void shouldReportAPhotoWithoutAFace_andKeepTheFace()
    {
        MainWindow window(withTinyModels());
        QVERIFY(waitForTheFirstFace(window));
        QVERIFY(window.alignsPhotos());
        const QImage seedFace = window.currentImage();
        QSignalSpy failed(&window, &MainWindow::faceFailed);
        QTemporaryDir dir;
        QVERIFY(window.openImage(writePhoto(dir)));
        QVERIFY(failed.wait(30000));
        QVERIFY2(window.lastError().contains(QStringLiteral("face.png")) &&
                     window.lastError().contains(QStringLiteral("no face found")),
                 qPrintable(window.lastError()));
        QCOMPARE(window.currentImage(), seedFace);
        QCOMPARE(window.history()->count(), 1);
        QCOMPARE(int(window.history()->current().kind), int(pae::ui::HistoryEntry::Kind::Seed));
    }

    // --help and a wrong option answer on a machine without a display (the studio used to
    // abort in the xcb plugin first), and the studio takes pae-cli's model flags.
    void shouldPrintHelpAndUsageErrors_withoutADisplay_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("expected");
        QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0 << QStringLiteral("--generator");
        QTest::newRow("version") << QStringList{QStringLiteral("--version")} << 0 << QStringLiteral("pae-studio");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--colour")} << 2 << QStringLiteral("colour");
        QTest::newRow("missing clip folder")
            << QStringList{QStringLiteral("--clip"), QStringLiteral("/nonexistent/clip")} << 2
            << QStringLiteral("/nonexistent/clip: no such folder");
        QTest::newRow("bad device") << QStringList{QStringLiteral("--device"), QStringLiteral("tpu")} << 2
                                    << QStringLiteral("tpu");
    }
    void shouldPrintHelpAndUsageErrors_withoutADisplay()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, expected);
        QProcess studio;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        studio.setProcessEnvironment(env);
        studio.start(QStringLiteral(PAE_STUDIO_PATH), args);
        QVERIFY(studio.waitForFinished(30000));
        const QString out = QString::fromLocal8Bit(studio.readAllStandardOutput() + studio.readAllStandardError());
        QCOMPARE(studio.exitStatus(), QProcess::NormalExit);
        QVERIFY2(studio.exitCode() == exitCode,
                 qPrintable(QStringLiteral("exit %1: %2").arg(studio.exitCode()).arg(out)));
        QVERIFY2(out.contains(expected), qPrintable(out));
    }

private:
    QTemporaryDir m_cache;
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
