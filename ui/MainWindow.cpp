#include "ui/MainWindow.h"

#include "ui/SettingsKeys.h"
#include "ui/canvas/ImageCanvas.h"
#include "ui/dialogs/FileDialogs.h"
#include "ui/dialogs/ModelsDialog.h"
#include "ui/dialogs/PresetDialogs.h"
#include "ui/export/ExportController.h"
#include "ui/jobs/CorpusAnalysis.h"
#include "ui/jobs/EditRuns.h"
#include "ui/jobs/LiveEditController.h"
#include "ui/jobs/ModelLoader.h"
#include "ui/panels/ComparePanel.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/FaceSourcePanel.h"
#include "ui/panels/LiveEditPanel.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/session/Document.h"
#include "ui/session/EditHistory.h"
#include "ui/session/FaceController.h"
#include "ui/session/SessionController.h"
#include "ui/window/StudioActions.h"
#include "ui/window/StudioLayout.h"

#include "core/pae/corpus.h"
#include "core/util/log.h"

#include <QCloseEvent>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QThreadPool>
#include <QTimer>

namespace pae::ui {

MainWindow::MainWindow(QWidget* parent) : MainWindow(Options{}, parent) {}

MainWindow::MainWindow(const Options& options, QWidget* parent) : QMainWindow(parent), m_options(options)
{
    setWindowTitle(tr("PAE Studio"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    auto* doc = new Document(this);
    m_studio.window = this;
    m_studio.doc = doc;
    m_studio.history = doc->history();
    m_studio.w = buildStudioLayout(this, doc->history());
    m_studio.models = [this] { return m_models; };
    m_studio.reportError = [this](const QString& title, const QString& message) { reportError(title, message); };
    m_studio.status = [this](const QString& message, int timeoutMs) {
        if (message.isEmpty())
            statusBar()->clearMessage();
        else
            statusBar()->showMessage(message, timeoutMs);
    };
    m_studio.currentStatus = [this] { return statusBar()->currentMessage(); };
    m_studio.confirmReplace = [this](const QString& what) { return m_sessions->confirmReplace(what); };
    m_studio.updateActions = [this] { updateActions(); };

    m_loader = new ModelLoader(this);
    m_liveEdit = new LiveEditController(doc->history(), m_w.live, this);
    m_faces = new FaceController(m_studio, this);
    m_runs = new EditRuns(m_studio, m_faces, m_liveEdit, this);
    m_faces->setRuns(m_runs);
    m_sessions = new SessionController(m_studio, m_faces, m_runs, this);
    m_faces->setReadingSession([this] { return m_sessions->isReading(); });
    m_analysis = new CorpusAnalysis(m_studio, m_runs, this);
    ExportController::Sources sources;
    sources.window = this;
    sources.models = m_studio.models;
    sources.history = doc->history();
    sources.compare = m_w.compare;
    sources.lastRun = &m_runs->lastRun();
    sources.inPhoto = [this](const QImage& face, std::string* logLine) { return m_faces->inPhoto(face, logLine); };
    m_exports = new ExportController(std::move(sources), this);
    StudioActions::Targets targets{m_faces, m_sessions, m_runs, m_exports};
    targets.openFileDialog = [this] { openFileDialog(); };
    targets.cancelWork = [this] { cancelWork(); };
    targets.modelsDialog = [this] { showModelsDialog(); };
    m_actions = new StudioActions(m_studio, targets);
    connectPresetDialogs(m_studio, m_liveEdit);
    connectControllers();
    restoreSettings();

    m_autosaveTimer = new QTimer(this);
    if (m_options.autosaveSeconds > 0) {
        m_autosaveTimer->setInterval(m_options.autosaveSeconds * 1000);
        connect(m_autosaveTimer, &QTimer::timeout, this, [this] {
            if (m_studio.doc->isDirty())
                autosave();
        });
        m_autosaveTimer->start();
    }
    updateActions();
    updateTitle();
    if (m_options.loadModels)
        loadModels(m_options.modelPaths ? *m_options.modelPaths : ModelsDialog::savedPaths());
}

MainWindow::~MainWindow() = default;

void MainWindow::connectControllers()
{
    connect(m_studio.history, &EditHistory::currentChanged, m_faces, &FaceController::showCurrentEntry);
    connect(m_studio.doc, &Document::stateChanged, this, &MainWindow::updateTitle);
    connect(m_faces, &FaceController::faceShown, this, &MainWindow::faceShown);
    connect(m_faces, &FaceController::faceFailed, this, &MainWindow::faceFailed);
    connect(m_sessions, &SessionController::failed, this, &MainWindow::faceFailed);
    connect(m_faces, &FaceController::placementChanged, this, [this] { m_actions->updatePhoto(m_faces->placement()); });
    connect(m_runs, &EditRuns::started, this, &MainWindow::editStarted);
    connect(m_runs, &EditRuns::previewShown, this, &MainWindow::previewShown);
    connect(m_runs, &EditRuns::resultAdded, this, &MainWindow::autosave);
    connect(m_runs, &EditRuns::finished, this, &MainWindow::editFinished);
    connect(m_runs, &EditRuns::failed, this, &MainWindow::editFailed);
    connect(m_runs, &EditRuns::busyChanged, this, &MainWindow::updateActions);
    connect(m_analysis, &CorpusAnalysis::analyzed, this, &MainWindow::corpusAnalyzed);
    connect(m_exports, &ExportController::status, this,
            [this](const QString& message, int timeoutMs) { statusBar()->showMessage(message, timeoutMs); });
    connect(m_exports, &ExportController::failed, this, &MainWindow::reportError);
    connect(m_exports, &ExportController::interpolatingChanged, this, &MainWindow::updateActions);
    connect(m_loader, &ModelLoader::loaded, this,
            [this](std::shared_ptr<pae::ModelSet> models) { setModels(std::move(models)); });
    connect(m_loader, &ModelLoader::failed, this, [this](const QString& message) {
        reportError(tr("Cannot load the models"),
                    tr("%1\n\nChoose other models in Settings → Models… (the built-in SynthFace models always work).")
                        .arg(message));
        m_w.canvas->setPlaceholderText(tr("No models loaded.\nOpen Settings → Models… to choose them."));
        Q_EMIT modelsFailed(message);
    });

    // The canvas shows the live render until the face on screen changes or it is applied.
    connect(m_liveEdit, &LiveEditController::frameReady, m_w.canvas, &ImageCanvas::setFrame);
    connect(m_liveEdit, &LiveEditController::errorOccurred, this, &MainWindow::reportError);
    connect(m_liveEdit, &LiveEditController::applied, this, [this](const QString& label) {
        statusBar()->showMessage(tr("Applied: %1").arg(label), 5000);
        autosave();
    });
    connect(m_w.live, &LiveEditPanel::refineRequested, m_runs, &EditRuns::refinePreset);

    connect(m_w.canvas, &ImageCanvas::fileDropped, this, &MainWindow::openFile);
    // Enter with an empty prompt comes here too: runEdit says what is missing.
    connect(m_w.prompt, &PromptBox::submitted, m_runs, &EditRuns::runEdit);
    connect(m_w.runButton, &QPushButton::clicked, this, [this] {
        m_w.prompt->addToHistory(m_w.prompt->text());
        runEdit();
    });
    connect(m_w.cancelButton, &QPushButton::clicked, this, &MainWindow::cancelWork);
    connect(m_w.source, &FaceSourcePanel::seedChosen, m_faces, &FaceController::showSeed);
    connect(m_w.source, &FaceSourcePanel::latentFileChosen, m_faces, &FaceController::openLatent);
    connect(m_w.source, &FaceSourcePanel::imageFileChosen, this, [this](const QString& p) { openImage(p); });
    connect(m_w.source, &FaceSourcePanel::sessionFileChosen, m_sessions, &SessionController::open);
    connect(m_w.corpus, &CorpusPicker::userCorporaChanged, this, &MainWindow::saveSettings);
    connect(m_w.corpus, &CorpusPicker::selectionChanged, this, &MainWindow::applyCorpusDefaults);
    connect(m_w.corpus, &CorpusPicker::promptActivated, this, [this](const QString& p) {
        m_w.prompt->setText(p);
        m_w.prompt->setFocus();
    });
    connect(m_w.compare, &ComparePanel::sweepRequested, m_runs, &EditRuns::runSweep);
    connect(m_w.compare, &ComparePanel::tileActivated, m_runs, &EditRuns::chooseSweepResult);
    connect(m_w.compare, &ComparePanel::exportGridRequested, m_exports, &ExportController::exportGridDialog);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    m_w.prompt->setHistory(s.value(settings::kPromptHistory).toStringList());
    m_w.corpus->setUserCorpora(s.value(settings::kUserCorpora).toStringList());
    m_w.compare->setLambdaText(s.value(settings::kLambdaList, m_w.compare->lambdaText()).toString());
    // A new user's first face is the loaded models' own (the built-in world's neutral face).
    m_seedFromModels = !s.contains(settings::kSeed);
    m_w.source->setSeed(s.value(settings::kSeed, 0).toULongLong());
    if (!restoreGeometry(s.value(settings::kWindowGeometry).toByteArray()))
        resize(1366, 768);
    restoreState(s.value(settings::kWindowState).toByteArray());
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(settings::kPromptHistory, m_w.prompt->history());
    s.setValue(settings::kUserCorpora, m_w.corpus->userCorpora());
    s.setValue(settings::kCurrentCorpus, m_w.corpus->currentCorpus());
    s.setValue(settings::kLambdaList, m_w.compare->lambdaText());
    s.setValue(settings::kSeed, m_w.source->seed());
    s.setValue(settings::kWindowGeometry, saveGeometry());
    s.setValue(settings::kWindowState, saveState());
}

void MainWindow::updateActions()
{
    if (!m_actions)
        return; // still being built
    StudioActions::State s;
    s.haveModels = m_models != nullptr;
    s.haveFace = !m_studio.history->isEmpty();
    s.editing = m_runs->isBusy();
    s.faceOnItsWay = m_faces->isBusy();
    s.inverting = m_faces->isInverting();
    s.referenceMode = m_faces->isReferenceMode();
    s.canRecover = QFileInfo::exists(Document::previousAutosavePath());
    s.hasTiles = m_w.compare->tileCount() > 0;
    s.hasFrames = !m_runs->lastRun().outcome.previewFrames.isEmpty();
    s.hasLastRun = !m_runs->lastRun().entries.isEmpty();
    s.interpolating = m_exports->isInterpolating();
    m_actions->update(s);
}

void MainWindow::updateTitle()
{
    const QString path = m_studio.doc->path();
    setWindowTitle(tr("%1[*] — PAE Studio").arg(path.isEmpty() ? tr("Untitled") : QFileInfo(path).fileName()));
    setWindowModified(m_studio.doc->hasUnsavedWork());
}

void MainWindow::reportError(const QString& title, const QString& message)
{
    m_lastError = message;
    pae::log::error("{}: {}", title.toStdString(), message.toStdString());
    statusBar()->showMessage(tr("%1: %2").arg(title, message.section(QLatin1Char('\n'), 0, 0)), 10000);
    if (isVisible()) {
        // open(), not exec(): a nested event loop here would run queued frames and job
        // signals in the middle of whatever reported the error.
        auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    Q_EMIT errorShown(message);
}

// Models ----------------------------------------------------------------------------------

void MainWindow::loadModels(const pae::ModelPaths& paths)
{
    statusBar()->showMessage(tr("Loading the models…"));
    m_w.canvas->setPlaceholderText(tr("Loading the models…"));
    m_loader->load(paths);
}

void MainWindow::applyCorpusDefaults()
{
    if (!m_models)
        return;
    const pae::ModelInfo info = m_models->info();
    pae::EditRequest defaults = pae::EditRequest::defaults(info);
    if (const QString path = m_w.corpus->currentCorpus(); !path.isEmpty()) {
        try {
            defaults = pae::EditRequest::defaults(info, pae::loadCorpus(path.toStdString()));
        } catch (const std::exception& e) {
            // Its prompts still work; only the settings its header asks for do not fit.
            const QString why = QString::fromUtf8(e.what());
            pae::log::warn("{}", e.what());
            statusBar()->showMessage(tr("The corpus's own edit settings are not used: %1").arg(why), 30000);
        }
    }
    m_w.strength->setDefaults(defaults);
}

void MainWindow::setModels(std::shared_ptr<pae::ModelSet> models)
{
    m_models = std::move(models);
    const pae::ModelInfo info = m_models->info();
    // The weights' hashes are what sessions, presets and latent files record (the Log tab shows them).
    pae::log::info("models: {} (weights {}) / {} (weights {}) on {}", info.clipDescription, info.clipHash,
                   info.generatorDescription, info.generatorHash, info.device);
    m_w.strength->setIdentityAvailable(!info.identityDescription.empty());
    m_w.strength->setLatentRows(info.numLatents);
    m_w.strength->setDefaults(pae::EditRequest::defaults(info));
    m_faces->setAlignPhotos(!info.builtin);
    m_liveEdit->setModels(m_models);
    const QString keep = QSettings().value(settings::kCurrentCorpus).toString();
    m_analysis->modelsChanged();
    m_w.corpus->setCorpusRoot(QString::fromStdString(info.corpusRoot.string()));
    if (!keep.isEmpty())
        m_w.corpus->setCurrentCorpus(keep);
    m_w.canvas->setPlaceholderText(tr("Pick a seed or open a latent to start."));
    // Latents of another generator do not fit these models: start from a face of this one.
    m_runs->forget(true);
    m_faces->clear();
    if (m_seedFromModels && info.firstSeed)
        m_w.source->setSeed(*info.firstSeed);
    m_seedFromModels = false;
    showSeed(m_w.source->seed());
    // After the face request, so this stays up while the face is made.
    statusBar()->showMessage(
        tr("Models ready: %1 on %2")
            .arg(info.builtin ? tr("built-in SynthFace") : QString::fromStdString(info.generatorDescription),
                 QString::fromStdString(info.device)),
        5000);
    updateActions();
    Q_EMIT modelsReady();
    if (m_options.offerRestore) {
        m_options.offerRestore = false;
        QTimer::singleShot(0, m_sessions, &SessionController::offerAutosaveRestore);
    }
}

bool MainWindow::replaceModels(std::shared_ptr<pae::ModelSet> models)
{
    // New models start over from a face of their own: the work on screen goes.
    if (!m_sessions->confirmReplace(tr("Loading other models")))
        return false;
    setModels(std::move(models));
    return true;
}

void MainWindow::showModelsDialog()
{
    ModelsDialog dialog(ModelsDialog::savedPaths(), this);
    if (dialog.exec() == QDialog::Accepted && dialog.models())
        replaceModels(dialog.models());
}

// Faces, edits and sessions: the controllers' -------------------------------------------------

bool MainWindow::showSeed(quint64 seed) { return m_faces->showSeed(seed); }
bool MainWindow::openLatent(const QString& path) { return m_faces->openLatent(path); }
bool MainWindow::openImage(const QString& path, int face) { return m_faces->openImage(path, face); }
bool MainWindow::isLoadingFace() const { return m_faces->isBusy() || m_sessions->isReading(); }
bool MainWindow::isInverting() const { return m_faces->isInverting(); }
bool MainWindow::isReferenceMode() const { return m_faces->isReferenceMode(); }
bool MainWindow::alignsPhotos() const { return m_faces->alignsPhotos(); }
void MainWindow::setAlignPhotos(bool on)
{
    m_faces->setAlignPhotos(on);
    updateActions();
}
bool MainWindow::showsInPhoto() const { return m_faces->showsInPhoto(); }
void MainWindow::setShowInPhoto(bool on)
{
    m_faces->setShowInPhoto(on);
    updateActions();
}
const PhotoPlacement* MainWindow::photoPlacement() const { return m_faces->placement(); }
const PhotoFaces& MainWindow::otherFacesInPhoto() const { return m_faces->otherFaces(); }
void MainWindow::chooseFaceInPhoto() { m_faces->chooseFaceInPhoto(); }
bool MainWindow::editFaceInPhoto(int face) { return m_faces->editFaceInPhoto(face); }
QImage MainWindow::currentImage() const { return m_w.canvas->image(); }

void MainWindow::cancelWork()
{
    if (!m_runs->cancel())
        m_faces->cancelInversion();
}

bool MainWindow::runEdit() { return m_runs->runEdit(); }
bool MainWindow::runSweep(const std::vector<float>& lambdas) { return m_runs->runSweep(lambdas); }
bool MainWindow::refinePreset() { return m_runs->refinePreset(); }
bool MainWindow::isEditing() const { return m_runs->isBusy(); }
void MainWindow::chooseSweepResult(int index) { m_runs->chooseSweepResult(index); }

SessionData MainWindow::sessionData() const { return m_sessions->sessionData(); }
void MainWindow::saveSession(const QString& path, bool overwrite) { m_sessions->save(path, overwrite); }
bool MainWindow::openSession(const QString& path) { return m_sessions->open(path); }
bool MainWindow::recoverPreviousWork() { return m_sessions->recoverPreviousWork(); }
QString MainWindow::autosavePath() const { return Document::autosavePath(); }
bool MainWindow::autosave() { return m_sessions->autosave(); }

bool MainWindow::openFile(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        reportError(tr("Cannot open"), tr("%1: no such file").arg(path));
        return false;
    }
    if (info.isDir()) {
        reportError(tr("Cannot open"), tr("%1 is a folder; open a session (.paesession), a latent (.safetensors) "
                                          "or a photo")
                                           .arg(path));
        return false;
    }
    if (FaceSourcePanel::isSessionFile(path))
        return openSession(path);
    if (FaceSourcePanel::isLatentFile(path))
        return openLatent(path);
    return openImage(path);
}

void MainWindow::openFileDialog()
{
    const QString path = FileDialogs::openFile(
        this, FileDialogs::Kind::Face, tr("Open latent or photo"),
        tr("Latents and photos (*.safetensors *.png *.jpg *.jpeg *.webp *.bmp);;Latents (*.safetensors);;"
           "Photos, reference only (*.png *.jpg *.jpeg *.webp *.bmp)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_sessions->confirmClose()) {
        event->ignore();
        return;
    }
    m_runs->cancel();
    // An animation still being encoded is finished, not cut off.
    QThreadPool::globalInstance()->waitForDone();
    saveSettings();
    // A clean exit leaves nothing to restore (the previous generation stays recoverable).
    m_studio.doc->removeAutosave();
    event->accept();
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_MainWindow.cpp"
