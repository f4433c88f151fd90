// Screenshots for the README, taken from the running application: docs/screenshot-main.png
// (mid-edit, before/after split), docs/screenshot-compare.png (a finished λ sweep) and
// docs/screenshot-photo.png (a SynthFace render opened as a photo, inverted, then edited),
// docs/screenshot-live-edit.png (a preset ticked in the Live edit tab, one of an older
// generator marked; the wrong-corpus warning),
// docs/screenshot-models.png (Models…: the built-in set with its identity network and encoder),
// docs/screenshot-unsaved.png and docs/screenshot-other-generator.png (the questions before
// unsaved work is replaced and before a session made with another generator opens),
// docs/screenshot-photo-round-trip.png and docs/screenshot-photo-faces.png (two faces of one photo).
// On the built-in SynthFace models when this checkout has them, else on the tiny random
// fixtures (which only show the layout). Not a test: it writes into docs/ (or
// $PAE_SCREENSHOT_DIR), so CTest does not run it; scripts/screenshots.sh does.
#include "StudioTestModels.h"

#include "ui/MainWindow.h"
#include "ui/canvas/ImageCanvas.h"
#include "ui/dialogs/ModelsDialog.h"
#include "ui/export/Exporter.h"
#include "ui/jobs/LiveEditController.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/LiveEditPanel.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/SliderSpinBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/session/EditHistory.h"
#include "ui/session/Session.h"

#include "core/edit/preset.h"
#include "core/io/image.h"
#include "core/synthface/attributes.h"
#include "core/synthface/renderer.h"

#include <QDockWidget>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>

#include <QUndoStack>
#include <QtTest/QtTest>
#include <functional>
#include <memory>

using namespace pae::ui;

namespace {
// Where the pictures go: the README's docs/ unless $PAE_SCREENSHOT_DIR says elsewhere.
QString docsDir() { return qEnvironmentVariable("PAE_SCREENSHOT_DIR", QStringLiteral(PAE_SOURCE_DIR "/docs")); }

// The window at the screenshots' size once its models and its first face are in (spies made
// right after the window, before the event loop runs); `face` is cleared for what follows.
bool shownWhenReady(MainWindow& w, QSignalSpy& ready, QSignalSpy& face)
{
    if (!ready.wait(120000))
        return false;
    w.resize(1366, 768);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w))
        return false;
    if (face.isEmpty() && !face.wait(120000))
        return false;
    face.clear();
    return true;
}

// The built-in models with a face shown and photos aligned (off by default for the built-in
// world, whose faces are drawn); null when they did not come up.
std::unique_ptr<MainWindow> photoWindow()
{
    if (!pae::test::builtinModelsPresent()) {
        qWarning() << "the built-in SynthFace models are missing";
        return nullptr;
    }
    MainWindow::Options o;
    o.offerRestore = false;
    o.autosaveSeconds = 0;
    auto w = std::make_unique<MainWindow>(o);
    QSignalSpy ready(w.get(), &MainWindow::modelsReady);
    QSignalSpy face(w.get(), &MainWindow::faceShown);
    if (!shownWhenReady(*w, ready, face))
        return nullptr;
    w->setAlignPhotos(true);
    return w;
}
} // namespace

class TestScreenshots : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { pae::test::isolateUserFiles(m_cache); }

    void shouldSaveAScreenshotOfTheModelsDialog()
    {
        QVERIFY2(pae::test::builtinModelsPresent(), "the Models dialog is shown on the built-in models");
        ModelsDialog dialog(pae::ModelPaths{});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isValidating() && dialog.isAcceptable(), 120000);
        QVERIFY2(dialog.statusText().contains(QStringLiteral("Identity: ")) &&
                     dialog.statusText().contains(QStringLiteral("Encoder: ")),
                 qPrintable(dialog.statusText()));
        const QString docs = docsDir();
        QDir().mkpath(docs);
        Exporter::writeImage(dialog.grab().toImage(), docs + QStringLiteral("/screenshot-models.png"), true);
    }

    void shouldSaveScreenshotsOfTheMainWindowAndTheComparison()
    {
        MainWindow::Options o;
        o.offerRestore = false;
        o.autosaveSeconds = 0;
        if (!pae::test::builtinModelsPresent()) {
            qWarning("no built-in SynthFace models: the screenshots show the tiny random fixture models");
            o.modelPaths = pae::test::tinyModels();
        }
        MainWindow w(o);
        QSignalSpy ready(&w, &MainWindow::modelsReady);
        QSignalSpy analyzed(&w, &MainWindow::corpusAnalyzed);
        QSignalSpy face(&w, &MainWindow::faceShown);
        // Typed before the models are ready, so the first corpus analysis is about this prompt.
        w.promptBox()->setText(QStringLiteral("a happy face"));
        QVERIFY(ready.wait(120000));
        w.resize(1366, 768);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(analyzed.wait(120000));
        QVERIFY(!face.isEmpty() || face.wait(120000));
        const QString docs = docsDir();
        QDir().mkpath(docs);

        // Mid-edit the comparison strip is empty: give its room to the canvas.
        auto* compareDock = w.findChild<QDockWidget*>(QStringLiteral("compareDock"));
        QVERIFY(compareDock);
        w.resizeDocks({compareDock}, {130}, Qt::Vertical);
        w.strengthPanel()->stepsControl()->setValue(200);
        w.canvas()->setSplitEnabled(true);
        QSignalSpy previews(&w, &MainWindow::previewShown);
        QSignalSpy done(&w, &MainWindow::editFinished);
        QVERIFY(w.runEdit());
        QTRY_VERIFY_WITH_TIMEOUT(previews.count() >= 8 || !done.isEmpty(), 180000);
        QVERIFY2(done.isEmpty(), "the edit finished before a mid-edit screenshot could be taken");
        QTest::qWait(50);
        Exporter::writeImage(w.grab().toImage(), docs + QStringLiteral("/screenshot-main.png"), true);
        QVERIFY(done.wait(180000));

        // The sweep starts from the seed's face again, so every tile is one edit of it.
        w.history()->undoStack()->undo();
        w.canvas()->setSplitEnabled(false);
        w.strengthPanel()->stepsControl()->setValue(120);
        w.resizeDocks({compareDock}, {300}, Qt::Vertical);
        done.clear();
        QVERIFY(w.runSweep({2.f, 5.f, 8.f, 12.f}));
        QVERIFY(done.wait(180000));
        w.chooseSweepResult(2);
        QTest::qWait(50);
        Exporter::writeImage(w.grab().toImage(), docs + QStringLiteral("/screenshot-compare.png"), true);
        QVERIFY(QImage(docs + QStringLiteral("/screenshot-compare.png")).width() >= 1366);

        // A question, drawn over the window as it shows, answered Cancel.
        const auto askedOverWindow = [&](const std::function<void()>& act) {
            QImage asked;
            QTimer poll;
            poll.setInterval(20);
            connect(&poll, &QTimer::timeout, this, [&] {
                auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
                if (!box || !asked.isNull())
                    return;
                QTest::qWait(50);
                asked = w.grab().toImage();
                const QImage dialog = box->grab().toImage();
                QPainter painter(&asked);
                painter.fillRect(asked.rect(), QColor(0, 0, 0, 60));
                painter.drawImage((asked.width() - dialog.width()) / 2, (asked.height() - dialog.height()) / 3, dialog);
                box->button(QMessageBox::Cancel)->click();
            });
            poll.start();
            act();
            // The session is read off the GUI thread: its question comes a little later.
            for (int waited = 0; asked.isNull() && waited < 60000; waited += 20)
                QTest::qWait(20);
            poll.stop();
            return asked;
        };
        // Another face over unsaved edits.
        const QImage unsaved = askedOverWindow([&] { QVERIFY(!w.showSeed(9)); });
        QVERIFY(!unsaved.isNull());
        Exporter::writeImage(unsaved, docs + QStringLiteral("/screenshot-unsaved.png"), true);
        // A session saved with the built-in generator before a retraining (its weights'
        // hash stands in for the older file's).
        QTemporaryDir sessions;
        const QString session = sessions.filePath(QStringLiteral("portrait-edits.paesession"));
        w.saveSession(session, false);
        SessionData older = Session::load(session);
        older.generatorHash = QStringLiteral("4d1c0e5a9b27f3e8");
        Session::save(older, session, true);
        const QImage otherGenerator = askedOverWindow([&] { QVERIFY(w.openSession(session)); });
        QVERIFY(!otherGenerator.isNull());
        Exporter::writeImage(otherGenerator, docs + QStringLiteral("/screenshot-other-generator.png"), true);

        // The Live edit tab with a preset ticked (Refine on this face is offered), and the
        // corpus panel warning about a prompt of another corpus.
        const QString preset = w.liveEdit()->saveCurrentAsPreset(QStringLiteral("a happy face"));
        // Beside it, the same edit as if saved before the generator was retrained: its row
        // carries the warning sign (the tooltip names both weights).
        pae::EditPreset olderEdit = pae::loadPreset(preset.toStdString());
        olderEdit.name = "a happy face (older generator)";
        olderEdit.generatorHash = "4d1c0e5a9b27f3e8";
        const QString olderFile = sessions.filePath(QStringLiteral("older-happy.preset"));
        pae::savePreset(olderEdit, olderFile.toStdString());
        const QString olderPreset = w.liveEdit()->importPreset(olderFile);
        auto* liveDock = w.findChild<QDockWidget*>(QStringLiteral("liveEditDock"));
        QVERIFY(liveDock);
        liveDock->show();
        liveDock->raise();
        QSignalSpy frames(w.liveEdit(), &LiveEditController::frameReady);
        w.liveEditPanel()->setPresetLayer(preset, true, 0.8);
        QVERIFY(frames.wait(60000));
        analyzed.clear();
        w.promptBox()->setText(QStringLiteral("a bald person"));
        QVERIFY(analyzed.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(w.corpusPicker()->isWarningShown(), 10000);
        QVERIFY(w.liveEditPanel()->findChild<QPushButton*>(QStringLiteral("refinePreset"))->isEnabled());
        w.statusBar()->clearMessage(); // what the session question left there
        QTest::qWait(50);
        Exporter::writeImage(w.grab().toImage(), docs + QStringLiteral("/screenshot-live-edit.png"), true);
        w.liveEdit()->removePreset(preset);
        w.liveEdit()->removePreset(olderPreset);
    }

    void shouldSaveAScreenshotOfAnInvertedPhoto()
    {
        MainWindow::Options o;
        o.offerRestore = false;
        o.autosaveSeconds = 0;
        if (!pae::test::builtinModelsPresent())
            o.modelPaths = pae::test::tinyModels();
        MainWindow w(o);
        QSignalSpy ready(&w, &MainWindow::modelsReady);
        QSignalSpy face(&w, &MainWindow::faceShown);
        QVERIFY(shownWhenReady(w, ready, face));

        // A face of the world that no latent made: the renderer's, not the generator's.
        QTemporaryDir dir;
        const QString photo = dir.filePath(QStringLiteral("synthface-render.png"));
        pae::io::writeImage(pae::synthface::render(pae::synthface::sampleAttributes(77), 256), photo.toStdString());
        // A 256² drawing is not the generator's own size: the studio asks before inverting.
        pae::test::MessageBoxAnswer anyway(QStringLiteral("Invert anyway"));
        QVERIFY(w.openImage(photo));
        QVERIFY2(face.wait(120000), qPrintable(w.lastError()));
        w.promptBox()->setText(QStringLiteral("a happy face"));
        QSignalSpy done(&w, &MainWindow::editFinished);
        QVERIFY(w.runEdit());
        QVERIFY(done.wait(180000));
        w.canvas()->setSplitEnabled(true);
        QTest::qWait(50);
        const QString docs = docsDir();
        Exporter::writeImage(w.grab().toImage(), docs + QStringLiteral("/screenshot-photo.png"), true);
    }

    // A real photo's round trip on the built-in models: her face found, aligned, turned into
    // the nearest cartoon, edited, and pasted back into the whole photo (split: before/after).
    void shouldSaveAScreenshotOfAPhotoRoundTrip()
    {
        auto window = photoWindow();
        QVERIFY(window);
        MainWindow& w = *window;
        QSignalSpy face(&w, &MainWindow::faceShown);
        pae::test::MessageBoxAnswer anyway(QStringLiteral("Invert anyway"));
        QVERIFY(w.openImage(QStringLiteral(PAE_TEST_DATA_DIR "/photos/astronaut.jpg")));
        QVERIFY2(face.wait(120000), qPrintable(w.lastError()));
        QVERIFY(w.photoPlacement());
        w.promptBox()->setText(QStringLiteral("a happy face"));
        QSignalSpy done(&w, &MainWindow::editFinished);
        QVERIFY(w.runEdit());
        QVERIFY(done.wait(180000));
        QVERIFY(w.showsInPhoto());
        w.canvas()->setSplitEnabled(true);
        QTest::qWait(50);
        const QString docs = docsDir();
        Exporter::writeImage(w.grab().toImage(), docs + QStringLiteral("/screenshot-photo-round-trip.png"), true);
    }

    // Two faces in one photo (her and her mirror image), each edited with its own prompt and
    // history, both pasted back; the canvas frames the faces, a click picks the one to edit.
    void shouldSaveAScreenshotOfTwoFacesInAPhoto()
    {
        auto window = photoWindow();
        QVERIFY(window);
        MainWindow& w = *window;
        QSignalSpy face(&w, &MainWindow::faceShown);
        const QImage two = pae::test::twoFacesPhoto();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two-astronauts.png"));
        QVERIFY(two.save(path));
        pae::test::MessageBoxAnswer anyway(QStringLiteral("Invert anyway"));
        QVERIFY(w.openImage(path));
        QVERIFY2(face.wait(180000), qPrintable(w.lastError()));
        QSignalSpy done(&w, &MainWindow::editFinished);
        w.promptBox()->setText(QStringLiteral("a happy face"));
        QVERIFY(w.runEdit());
        QVERIFY(done.wait(180000));
        QCOMPARE(w.canvas()->marks().size(), 2);
        QTest::mouseClick(w.canvas(), Qt::LeftButton, Qt::NoModifier,
                          w.canvas()->mapFromImage(w.canvas()->marks()[1].box.center()).toPoint());
        QVERIFY2(face.wait(180000), qPrintable(w.lastError()));
        w.promptBox()->setText(QStringLiteral("a surprised face"));
        QVERIFY(w.runEdit());
        QVERIFY(done.wait(180000));
        QTest::qWait(50);
        const QString docs = docsDir();
        Exporter::writeImage(w.grab().toImage(), docs + QStringLiteral("/screenshot-photo-faces.png"), true);
    }

private:
    QTemporaryDir m_cache;
};

QTEST_MAIN(TestScreenshots)
#include "make_screenshots.moc"
