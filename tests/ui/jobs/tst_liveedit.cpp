// Instant edits in the studio on the built-in models: the live strength of the edit on
// screen, and presets saved from one face and applied to another.
#include "StudioTestModels.h"

#include "ui/MainWindow.h"
#include "ui/canvas/ImageConversion.h"
#include "ui/jobs/LiveEditController.h"
#include "ui/panels/LiveEditPanel.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/SliderSpinBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/session/EditHistory.h"

#include "core/edit/preset.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QUndoStack>
#include <QtTest/QtTest>

using namespace pae::ui;

namespace {

constexpr int kTimeoutMs = 60000;

std::unique_ptr<MainWindow> editedWindow()
{
    MainWindow::Options o;
    o.offerRestore = false;
    o.autosaveSeconds = 0;
    auto w = std::make_unique<MainWindow>(o);
    QSignalSpy face(w.get(), &MainWindow::faceShown);
    if (!face.wait(kTimeoutMs))
        return nullptr;
    w->strengthPanel()->stepsControl()->setValue(20);
    w->resize(1366, 768);
    w->show();
    w->promptBox()->setText(QStringLiteral("a happy face"));
    QSignalSpy done(w.get(), &MainWindow::editFinished);
    if (!w->runEdit() || !done.wait(kTimeoutMs))
        return nullptr;
    return w;
}

int worstDifference(const QImage& a, const QImage& b)
{
    const QImage x = a.convertToFormat(QImage::Format_RGB888), y = b.convertToFormat(QImage::Format_RGB888);
    if (x.size() != y.size())
        return 256;
    int worst = 0;
    for (int r = 0; r < x.height(); ++r)
        for (int c = 0; c < x.width() * 3; ++c)
            worst = std::max(worst, std::abs(int(x.constScanLine(r)[c]) - int(y.constScanLine(r)[c])));
    return worst;
}

} // namespace

class TestLiveEdit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(pae::test::builtinModelsPresent(), "the built-in SynthFace models are missing");
        pae::test::isolateUserFiles(m_cache);
        QDir(LiveEditController::presetsFolder()).removeRecursively();
    }

    // Strength 1 is the edit's own result, 0 the face it started from; Apply keeps it.
    void shouldRenderTheEditAtTheStrengthAsked_andApplyIt()
    {
        auto w = editedWindow();
        QVERIFY(w);
        const QImage source = w->history()->at(0).image;
        const QImage edited = w->history()->current().image;
        QSignalSpy frames(w->liveEdit(), &LiveEditController::frameReady);
        w->liveEditPanel()->strengthControl()->spinBox()->setValue(0.0);
        QVERIFY(frames.wait(kTimeoutMs));
        QCOMPARE(frames.last().at(0).value<QImage>(), source);
        QCOMPARE(w->currentImage(), source);
        w->liveEditPanel()->strengthControl()->spinBox()->setValue(1.0);
        QVERIFY(frames.wait(kTimeoutMs));
        QVERIFY(worstDifference(frames.last().at(0).value<QImage>(), edited) <= 1);
        w->liveEditPanel()->strengthControl()->spinBox()->setValue(1.5);
        QVERIFY(frames.wait(kTimeoutMs));
        QSignalSpy applied(w->liveEdit(), &LiveEditController::applied);
        QTest::mouseClick(w->liveEditPanel()->findChild<QPushButton*>(QStringLiteral("applyStrength")), Qt::LeftButton);
        QVERIFY(applied.wait(kTimeoutMs));
        QCOMPARE(w->history()->count(), 3);
        QVERIFY2(w->history()->current().label.contains(QStringLiteral("×1.5")),
                 qPrintable(w->history()->current().label));
        QCOMPARE(w->currentImage(), frames.last().at(0).value<QImage>());
        QVERIFY(w->isWindowModified());
    }

    // Dragging asks for many renders; only the newest matters: they arrive in the order
    // asked, stale ones are dropped, and the last one is the slider's last value.
    void shouldDropStaleRenders_andEndOnTheLastValue()
    {
        auto w = editedWindow();
        QVERIFY(w);
        QSignalSpy frames(w->liveEdit(), &LiveEditController::frameReady);
        QSlider* slider = w->liveEditPanel()->strengthControl()->slider();
        slider->setSliderDown(true);
        for (int v = 0; v <= slider->maximum(); v += 5)
            slider->setValue(v);
        slider->setSliderDown(false); // the release asks for the full-size render
        QTRY_VERIFY_WITH_TIMEOUT(!w->liveEdit()->isRendering() && !frames.isEmpty(), kTimeoutMs);
        QVERIFY2(frames.count() < slider->maximum() / 5, "every stale render reached the canvas");
        double previous = -1;
        for (const QList<QVariant>& f : frames) {
            QVERIFY(f.at(1).toDouble() >= previous);
            previous = f.at(1).toDouble();
        }
        QCOMPARE(frames.last().at(1).toDouble(), w->liveEditPanel()->strength());
        QVERIFY(frames.last().at(2).toBool()); // the last one is the full-size render
    }

    // An edit saved as a preset, applied to another face, mixed with itself.
    void shouldSaveAPreset_andApplyItToAnotherFace()
    {
        auto w = editedWindow();
        QVERIFY(w);
        const QString path = w->liveEdit()->saveCurrentAsPreset(QStringLiteral("happy"));
        QVERIFY(QFileInfo::exists(path));
        QCOMPARE(w->liveEditPanel()->presetList()->count(), 1);
        const pae::EditPreset preset = pae::loadPreset(path.toStdString());
        {
            pae::test::MessageBoxAnswer discard(QMessageBox::Discard);
            QSignalSpy face(w.get(), &MainWindow::faceShown);
            QVERIFY(w->showSeed(7));
            QVERIFY(face.wait(kTimeoutMs));
        }
        const pae::Latent seven = w->history()->current().latent;
        QSignalSpy frames(w->liveEdit(), &LiveEditController::frameReady);
        w->liveEditPanel()->setPresetLayer(path, true, 0.5);
        QVERIFY(frames.wait(kTimeoutMs));
        const QImage expected = toQImage(w->models()->render(pae::applyPresets(seven, {&preset}, {0.5f})));
        QCOMPARE(frames.last().at(0).value<QImage>(), expected);
        QSignalSpy applied(w->liveEdit(), &LiveEditController::applied);
        QTest::mouseClick(w->liveEditPanel()->findChild<QPushButton*>(QStringLiteral("applyPresets")), Qt::LeftButton);
        QVERIFY(applied.wait(kTimeoutMs));
        QCOMPARE(w->history()->count(), 2);
        QVERIFY2(w->history()->current().label.contains(QStringLiteral("happy ×0.5")),
                 qPrintable(w->history()->current().label));
    }

    // "Refine on this face": the ticked preset on the face, then a short optimization of
    // its prompt from there, recorded as an edit of that face.
    void shouldRefineAPresetOnTheFace()
    {
        auto w = editedWindow();
        QVERIFY(w);
        const QString path = w->liveEdit()->saveCurrentAsPreset(QStringLiteral("happy to refine"));
        const pae::EditPreset preset = pae::loadPreset(path.toStdString());
        {
            pae::test::MessageBoxAnswer discard(QMessageBox::Discard);
            QSignalSpy face(w.get(), &MainWindow::faceShown);
            QVERIFY(w->showSeed(11));
            QVERIFY(face.wait(kTimeoutMs));
        }
        auto* refine = w->liveEditPanel()->findChild<QPushButton*>(QStringLiteral("refinePreset"));
        QVERIFY(refine);
        QVERIFY(!refine->isEnabled()); // nothing ticked
        const pae::Latent eleven = w->history()->current().latent;
        QSignalSpy frames(w->liveEdit(), &LiveEditController::frameReady);
        w->liveEditPanel()->setPresetLayer(path, true, 1.0);
        QVERIFY(frames.wait(kTimeoutMs));
        QVERIFY(refine->isEnabled());
        QSignalSpy done(w.get(), &MainWindow::editFinished);
        QTest::mouseClick(refine, Qt::LeftButton);
        QVERIFY(w->isEditing());
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(w->history()->count(), 2);
        const HistoryEntry& refined = w->history()->current();
        QVERIFY2(refined.label.contains(QStringLiteral("refined")), qPrintable(refined.label));
        QCOMPARE(refined.prompt, QStringLiteral("a happy face"));
        // It moved on from the applied preset, and stayed near it.
        const pae::Latent applied = pae::applyPresets(eleven, {&preset}, {1.0f});
        double moved = 0;
        for (size_t i = 0; i < applied.values.size(); ++i)
            moved = std::max(moved, double(std::abs(refined.latent.values[i] - applied.values[i])));
        QVERIFY2(moved > 1e-4, "the refinement did not change the applied preset");
        // Undo returns to the face itself.
        w->history()->undoStack()->undo();
        QCOMPARE(w->history()->current().latent.values, eleven.values);
        w->liveEdit()->removePreset(path);
    }

    // A preset of another generator is refused with a message naming both shapes.
    void shouldRefuseAPresetOfAnotherGenerator()
    {
        auto w = editedWindow();
        QVERIFY(w);
        pae::EditPreset foreign;
        foreign.name = "ffhq smile";
        foreign.generator = "StyleGAN2 1024²";
        foreign.delta.numLatents = foreign.source.numLatents = 18;
        foreign.delta.styleDim = foreign.source.styleDim = 512;
        foreign.delta.values.assign(18 * 512, 0.1f);
        foreign.source.values.assign(18 * 512, 0.f);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("ffhq-smile.preset"));
        pae::savePreset(foreign, file.toStdString());
        const QString imported = w->liveEdit()->importPreset(file);
        QSignalSpy errors(w.get(), &MainWindow::errorShown);
        w->liveEditPanel()->setPresetLayer(imported, true, 1.0);
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), kTimeoutMs);
        const QString message = errors.last().at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("18×512")) && message.contains(QStringLiteral("10×16")),
                 qPrintable(message));
        QCOMPARE(w->history()->count(), 2);
        w->liveEdit()->removePreset(imported);
    }

    // A preset of a generator of the same shape but other weights (the built-in one before a
    // retraining) fits the face, so it is listed and applies; its row says it was made with
    // another generator, with both generators' weights in its tooltip.
    void shouldMarkAPresetMadeWithOtherWeights()
    {
        auto w = editedWindow();
        QVERIFY(w);
        const QString path = w->liveEdit()->saveCurrentAsPreset(QStringLiteral("happy here"));
        pae::EditPreset retrained = pae::loadPreset(path.toStdString());
        const std::string hash = w->models()->info().generatorHash;
        QCOMPARE(retrained.generatorHash, hash); // what a preset records
        retrained.name = "happy elsewhere";
        retrained.generatorHash = "feedfacefeedface";
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("happy-elsewhere.preset"));
        pae::savePreset(retrained, file.toStdString());
        const QString imported = w->liveEdit()->importPreset(file);
        QListWidget* list = w->liveEditPanel()->presetList();
        int seen = 0;
        for (int i = 0; i < list->count(); ++i) {
            const QListWidgetItem* item = list->item(i);
            const bool foreign = item->text().contains(QStringLiteral("happy elsewhere"));
            if (!foreign && !item->text().contains(QStringLiteral("happy here")))
                continue; // another test's preset
            ++seen;
            QCOMPARE(item->icon().isNull(), !foreign);
            QCOMPARE(item->toolTip().contains(QStringLiteral("another generator")), foreign);
            if (foreign)
                QVERIFY2(item->toolTip().contains(QStringLiteral("feedfacefeedface")) &&
                             item->toolTip().contains(QString::fromStdString(hash)),
                         qPrintable(item->toolTip()));
        }
        QCOMPARE(seen, 2);
        // It still applies: same shapes, and the user may mean it.
        QSignalSpy frames(w->liveEdit(), &LiveEditController::frameReady);
        w->liveEditPanel()->setPresetLayer(imported, true, 1.0);
        QVERIFY(frames.wait(kTimeoutMs));
        w->liveEdit()->removePreset(imported);
        w->liveEdit()->removePreset(path);
    }

private:
    QTemporaryDir m_cache;
};

QTEST_MAIN(TestLiveEdit)
#include "tst_liveedit.moc"
