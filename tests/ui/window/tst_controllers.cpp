// The studio's controllers on their own, without MainWindow: a bare window with the studio's
// widgets (buildStudioLayout), the tiny random models, and each controller wired as MainWindow
// wires it. FaceController (newest face wins, a seed's face is not unsaved work), EditRuns (a
// result goes into the history once; a result of a face that was replaced is dropped),
// SessionController (a round trip through a file; a missing file is an error naming it) and
// StudioActions (Run follows the state; no key is given to two actions in the real menus).
#include "StudioTestModels.h"

#include "ui/canvas/ImageCanvas.h"
#include "ui/export/ExportController.h"
#include "ui/jobs/EditRuns.h"
#include "ui/jobs/LiveEditController.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/SliderSpinBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/session/Document.h"
#include "ui/session/EditHistory.h"
#include "ui/session/FaceController.h"
#include "ui/session/SessionController.h"
#include "ui/window/StudioActions.h"
#include "ui/window/StudioLayout.h"

#include <QAction>
#include <QMainWindow>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest/QtTest>

#include <map>

using namespace pae::ui;

namespace {

// The controllers of one studio, on a window of their own.
struct Rig {
    QMainWindow window;
    std::shared_ptr<pae::ModelSet> models;
    Studio studio;
    LiveEditController* live = nullptr;
    FaceController* faces = nullptr;
    EditRuns* runs = nullptr;
    SessionController* sessions = nullptr;
    ExportController* exports = nullptr;
    StudioActions* actions = nullptr;
    QStringList errors;
    int actionUpdates = 0;

    explicit Rig(std::shared_ptr<pae::ModelSet> loaded) : models(std::move(loaded))
    {
        auto* doc = new Document(&window);
        studio.window = &window;
        studio.doc = doc;
        studio.history = doc->history();
        studio.w = buildStudioLayout(&window, doc->history());
        studio.models = [this] { return models; };
        studio.reportError = [this](const QString& title, const QString& message) {
            errors << title + QStringLiteral(": ") + message;
        };
        studio.status = [this](const QString& message, int) { window.setStatusTip(message); };
        studio.currentStatus = [this] { return window.statusTip(); };
        studio.confirmReplace = [this](const QString& what) { return sessions->confirmReplace(what); };
        studio.updateActions = [this] { ++actionUpdates; };
        live = new LiveEditController(doc->history(), studio.w.live, &window);
        faces = new FaceController(studio, &window);
        runs = new EditRuns(studio, faces, live, &window);
        faces->setRuns(runs);
        sessions = new SessionController(studio, faces, runs, &window);
        ExportController::Sources sources;
        sources.window = &window;
        sources.models = studio.models;
        sources.history = doc->history();
        sources.compare = studio.w.compare;
        sources.lastRun = &runs->lastRun();
        exports = new ExportController(std::move(sources), &window);
        actions = new StudioActions(studio, {faces, sessions, runs, exports, [] {}, [] {}, [] {}});
        studio.w.corpus->setCorpusRoot(QString::fromStdString(models->info().corpusRoot.string()));
        studio.w.corpus->setCurrentCorpus(QStringLiteral("emotion"));
        studio.w.strength->stepsControl()->setValue(3);
        studio.w.prompt->setText(QStringLiteral("a happy face"));
    }

    bool showSeed(quint64 seed)
    {
        QSignalSpy shown(faces, &FaceController::faceShown);
        return faces->showSeed(seed) && shown.wait(60000);
    }
};

} // namespace

class TestControllers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        pae::test::isolateUserFiles(m_cache);
        m_models = pae::ModelSet::load(pae::test::tinyModels());
        QVERIFY(m_models);
    }

    void faceController_showsTheNewestFaceOnly()
    {
        Rig rig(m_models);
        QSignalSpy shown(rig.faces, &FaceController::faceShown);
        QVERIFY(rig.faces->showSeed(1));
        QVERIFY(rig.faces->showSeed(2)); // asked before the first arrived
        QVERIFY(rig.faces->isBusy());
        QVERIFY(shown.wait(60000));
        // Requests run in order: had seed 1 been delivered, it would have come first.
        QCOMPARE(shown.count(), 1);
        QVERIFY(!rig.faces->isBusy());
        QCOMPARE(rig.studio.history->count(), 1);
        QCOMPARE(rig.studio.history->at(0).seed, quint64(2));
        QVERIFY(!rig.studio.w.canvas->image().isNull());
        // A seed's face is made again in a moment: not work to ask about.
        QVERIFY(!rig.studio.doc->hasUnsavedWork());
        QVERIFY2(rig.errors.isEmpty(), qPrintable(rig.errors.join('\n')));
    }

    void faceController_refusesWithoutModels()
    {
        Rig rig(m_models);
        rig.models = nullptr;
        QVERIFY(!rig.faces->showSeed(1));
        QCOMPARE(rig.errors.size(), 1);
        QVERIFY2(rig.errors[0].contains(QStringLiteral("not loaded")), qPrintable(rig.errors[0]));
        QVERIFY(!rig.faces->isBusy());
    }

    void editRuns_putTheResultIntoTheHistoryOnce()
    {
        Rig rig(m_models);
        QVERIFY(rig.showSeed(3));
        QSignalSpy added(rig.runs, &EditRuns::resultAdded);
        QSignalSpy finished(rig.runs, &EditRuns::finished);
        QVERIFY(rig.runs->runEdit());
        QVERIFY(rig.runs->isBusy());
        QVERIFY2(finished.wait(120000), qPrintable(rig.errors.join('\n')));
        QCOMPARE(added.count(), 1);
        QCOMPARE(rig.studio.history->count(), 2);
        const HistoryEntry& e = rig.studio.history->current();
        QCOMPARE(e.kind, HistoryEntry::Kind::Edit);
        QCOMPARE(e.prompt, QStringLiteral("a happy face"));
        QCOMPARE(e.corpus, rig.studio.w.corpus->currentCorpus());
        QVERIFY(e.corpus.endsWith(QStringLiteral("emotion.txt")));
        QCOMPARE(e.settings.steps, int(rig.studio.w.strength->stepsControl()->value()));
        QCOMPARE(rig.runs->lastRun().entries.size(), 1);
        QCOMPARE(rig.runs->lastRun().sweepId, e.sweepId);
        QVERIFY(rig.studio.doc->hasUnsavedWork());
    }

    void editRuns_dropTheResultOfAReplacedFace()
    {
        Rig rig(m_models);
        QVERIFY(rig.showSeed(3));
        rig.studio.w.strength->stepsControl()->setValue(200);
        QSignalSpy added(rig.runs, &EditRuns::resultAdded);
        QSignalSpy finished(rig.runs, &EditRuns::finished);
        QVERIFY(rig.runs->runEdit());
        QVERIFY(rig.showSeed(5)); // the face goes while the edit runs
        QVERIFY(finished.count() == 1 || finished.wait(120000));
        QCOMPARE(added.count(), 0);
        QCOMPARE(rig.studio.history->count(), 1);
        QCOMPARE(rig.studio.history->at(0).seed, quint64(5));
        QVERIFY(rig.runs->lastRun().entries.isEmpty());
    }

    void sessionController_roundTripsTheWork()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("work.paesession"));
        QStringList labels;
        {
            Rig rig(m_models);
            QVERIFY(rig.showSeed(4));
            QSignalSpy finished(rig.runs, &EditRuns::finished);
            QVERIFY(rig.runs->runEdit());
            QVERIFY(finished.wait(120000));
            rig.sessions->save(path, false);
            QCOMPARE(rig.studio.doc->path(), path);
            QVERIFY(!rig.studio.doc->hasUnsavedWork());
            for (const HistoryEntry& e : rig.studio.history->entries())
                labels << e.label;
        }
        Rig rig(m_models);
        QVERIFY(rig.showSeed(9));
        QSignalSpy shown(rig.faces, &FaceController::faceShown);
        QVERIFY(rig.sessions->open(path));
        QVERIFY(rig.sessions->isReading());
        QVERIFY2(shown.wait(60000), qPrintable(rig.errors.join('\n')));
        QVERIFY(!rig.sessions->isReading());
        QStringList reopened;
        for (const HistoryEntry& e : rig.studio.history->entries())
            reopened << e.label;
        QCOMPARE(reopened, labels);
        QCOMPARE(rig.studio.history->currentIndex(), 1);
        QCOMPARE(rig.studio.doc->path(), path);
        QCOMPARE(rig.studio.w.prompt->text(), QStringLiteral("a happy face"));
    }

    void sessionController_namesAMissingFile()
    {
        Rig rig(m_models);
        QVERIFY(rig.showSeed(4));
        const QString path = QDir::temp().filePath(QStringLiteral("no-such-session.paesession"));
        QSignalSpy failed(rig.sessions, &SessionController::failed);
        QVERIFY(rig.sessions->open(path)); // read off the GUI thread: the failure comes back
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("no-such-session.paesession")),
                 qPrintable(failed.first().first().toString()));
        QCOMPARE(rig.studio.history->count(), 1); // the face on screen stays
        QCOMPARE(rig.studio.history->at(0).seed, quint64(4));
    }

    void studioActions_runFollowsTheState()
    {
        Rig rig(m_models);
        QAction* run = nullptr;
        for (QAction* a : rig.window.findChildren<QAction*>())
            if (a->text() == QStringLiteral("&Run edit"))
                run = a;
        QVERIFY(run);
        StudioActions::State s;
        s.haveModels = true;
        s.haveFace = true;
        rig.actions->update(s);
        QVERIFY(run->isEnabled());
        QVERIFY(rig.studio.w.runButton->isEnabled());
        s.faceOnItsWay = true; // the edit would belong to the face it replaces
        rig.actions->update(s);
        QVERIFY(!run->isEnabled());
        QVERIFY(!rig.studio.w.runButton->isEnabled());
        s.faceOnItsWay = false;
        s.editing = true;
        rig.actions->update(s);
        QVERIFY(!run->isEnabled());
        QVERIFY(rig.studio.w.cancelButton->isEnabled());
        QVERIFY(rig.studio.w.progress->isVisibleTo(&rig.window));
    }

    void studioActions_giveEachKeyToOneAction()
    {
        Rig rig(m_models);
        std::map<QString, QStringList> owners;
        for (QAction* a : rig.window.findChildren<QAction*>())
            for (const QKeySequence& key : a->shortcuts())
                owners[key.toString()] << a->text();
        QVERIFY(owners.size() > 20); // the menus are there
        for (const auto& [key, texts] : owners)
            QVERIFY2(texts.size() == 1, qPrintable(key + QStringLiteral(": ") + texts.join(QStringLiteral(", "))));
    }

private:
    QTemporaryDir m_cache;
    std::shared_ptr<pae::ModelSet> m_models;
};

QTEST_MAIN(TestControllers)
#include "tst_controllers.moc"
