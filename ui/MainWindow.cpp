#include "ui/MainWindow.h"

#include "ui/SettingsKeys.h"
#include "ui/canvas/ImageCanvas.h"
#include "ui/canvas/ImageConversion.h"
#include "ui/dialogs/FileDialogs.h"
#include "ui/dialogs/ModelsDialog.h"
#include "ui/export/ExportController.h"
#include "ui/export/Exporter.h"
#include "ui/jobs/BackgroundTask.h"
#include "ui/jobs/EditController.h"
#include "ui/jobs/LiveEditController.h"
#include "ui/jobs/ModelLoader.h"
#include "ui/jobs/PromptAnalyzer.h"
#include "ui/panels/ComparePanel.h"
#include "ui/panels/CompareTile.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/FaceSourcePanel.h"
#include "ui/panels/HistoryPanel.h"
#include "ui/panels/LiveEditPanel.h"
#include "ui/panels/LogPanel.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/photo/PhotoFaces.h"
#include "ui/photo/PhotoPlacement.h"
#include "ui/session/Document.h"
#include "ui/session/EditHistory.h"

#include "core/face/alignment.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/paths.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QThreadPool>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>

namespace pae::ui {

namespace {

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QString();
    const int s = int(std::lround(seconds));
    return s >= 60 ? QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QObject::tr("%1 s").arg(s);
}

QString entryLabel(const QString& prompt, float lambda)
{
    return QObject::tr("%1 (λ %2)").arg(prompt).arg(double(lambda), 0, 'g', 4);
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : MainWindow(Options{}, parent) {}

MainWindow::MainWindow(const Options& options, QWidget* parent) : QMainWindow(parent), m_options(options)
{
    setWindowTitle(tr("PAE Studio"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    m_doc = new Document(this);
    m_history = m_doc->history();
    m_editor = new EditController(this);
    m_faces = new FaceRenderer(this);
    m_loader = new ModelLoader(this);
    m_analyzer = new PromptAnalyzer(this);
    m_photoFaces = std::make_unique<PhotoFaces>();
    buildLayout();
    buildExports();
    buildActions();
    connectLiveEdit();
    restoreSettings();

    connect(m_history, &EditHistory::currentChanged, this, &MainWindow::showCurrentEntry);
    connect(m_canvas, &ImageCanvas::markClicked, this, [this](int face) { editFaceInPhoto(face); });
    connect(m_doc, &Document::stateChanged, this, &MainWindow::updateTitle);
    connect(m_editor, &EditController::started, this, &MainWindow::editStarted);
    connect(m_editor, &EditController::progress, this, &MainWindow::onProgress);
    connect(m_editor, &EditController::preview, this, &MainWindow::onPreview);
    connect(m_editor, &EditController::finished, this, &MainWindow::onFinished);
    connect(m_editor, &EditController::failed, this, &MainWindow::onFailed);
    connect(m_editor, &EditController::busyChanged, this, [this](bool busy) {
        updateActions();
        if (!busy && m_analysisDeferred) {
            m_analysisDeferred = false;
            scheduleAnalysis();
        }
    });
    connect(m_faces, &FaceRenderer::rendered, this, &MainWindow::onFaceRendered);
    connect(m_faces, &FaceRenderer::failed, this, &MainWindow::onFaceFailed);
    connect(m_faces, &FaceRenderer::inverting, this, [this](quint64 id, int step, int steps, float psnr) {
        if (id != m_pendingFace.id)
            return;
        const QString text = tr("Inverting %1: step %2 of %3, %4 dB")
                                 .arg(QFileInfo(m_pendingFace.path).fileName())
                                 .arg(step)
                                 .arg(steps)
                                 .arg(double(psnr), 0, 'f', 1);
        m_pendingFace.status = text; // onFaceRendered clears the message it still shows
        statusBar()->showMessage(text);
    });
    connect(m_loader, &ModelLoader::loaded, this,
            [this](std::shared_ptr<pae::ModelSet> models) { setModels(std::move(models)); });
    connect(m_loader, &ModelLoader::failed, this, [this](const QString& message) {
        reportError(tr("Cannot load the models"),
                    tr("%1\n\nChoose other models in Settings → Models… (the built-in SynthFace models always work).")
                        .arg(message));
        m_canvas->setPlaceholderText(tr("No models loaded.\nOpen Settings → Models… to choose them."));
        Q_EMIT modelsFailed(message);
    });

    connect(m_analyzer, &PromptAnalyzer::analyzed, this, &MainWindow::onAnalyzed);
    connect(m_analyzer, &PromptAnalyzer::failed, this, [this](const QString& message) {
        m_corpus->setAnalysisError(message);
        m_analyzedKey.clear(); // ask again next time: the file may be fixed by then
        pae::log::warn("corpus analysis: {}", message.toStdString());
        Q_EMIT corpusAnalyzed();
    });
    m_analysisTimer = new QTimer(this);
    m_analysisTimer->setSingleShot(true);
    m_analysisTimer->setInterval(350);
    connect(m_analysisTimer, &QTimer::timeout, this, &MainWindow::analyze);
    m_autosaveTimer = new QTimer(this);
    if (m_options.autosaveSeconds > 0) {
        m_autosaveTimer->setInterval(m_options.autosaveSeconds * 1000);
        connect(m_autosaveTimer, &QTimer::timeout, this, [this] {
            if (m_doc->isDirty())
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

// Layout -----------------------------------------------------------------------------------

void MainWindow::buildLayout()
{
    m_canvas = new ImageCanvas(this);
    m_canvas->setPlaceholderText(tr("Loading the models…"));
    m_prompt = new PromptBox(this);
    m_runButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Run"), this);
    m_runButton->setToolTip(tr("Edit the current face towards the prompt with the strength λ (Ctrl+Return)."));
    m_runButton->setDefault(true);
    m_cancelButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Cancel"), this);
    m_cancelButton->setToolTip(tr("Stop the running edit or photo inversion (Esc). The face stays as it was."));

    auto* central = new QWidget(this);
    auto* promptRow = new QHBoxLayout;
    auto* promptLabel = new QLabel(tr("Prompt"), central);
    promptLabel->setBuddy(m_prompt);
    promptRow->addWidget(promptLabel);
    promptRow->addWidget(m_prompt, 1);
    m_tokens = new QLabel(central);
    m_tokens->setObjectName(QStringLiteral("tokenCount"));
    m_tokens->setToolTip(tr("Tokens of the prompt against what the text encoder reads (77 for real CLIP, "
                            "fewer for the built-in one); what does not fit is cut"));
    promptRow->addWidget(m_tokens);
    promptRow->addWidget(m_runButton);
    promptRow->addWidget(m_cancelButton);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(6, 6, 6, 0);
    centralLayout->addLayout(promptRow);
    centralLayout->addWidget(m_canvas, 1);
    setCentralWidget(central);

    auto dock = [this](const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(content);
        d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
        addDockWidget(area, d);
        return d;
    };
    m_source = new FaceSourcePanel(this);
    m_historyPanel = new HistoryPanel(m_history, this);
    m_corpus = new CorpusPicker(this);
    m_strength = new StrengthPanel(this);
    m_compare = new ComparePanel(this);
    m_log = new LogPanel(this);
    m_live = new LiveEditPanel(this);
    auto* faceDock = dock(tr("Face"), QStringLiteral("faceDock"), m_source, Qt::LeftDockWidgetArea);
    auto* historyDock = dock(tr("History"), QStringLiteral("historyDock"), m_historyPanel, Qt::LeftDockWidgetArea);
    auto* corpusDock = dock(tr("Corpus"), QStringLiteral("corpusDock"), m_corpus, Qt::RightDockWidgetArea);
    auto* strengthDock = dock(tr("Strength"), QStringLiteral("strengthDock"), m_strength, Qt::RightDockWidgetArea);
    auto* compareDock = dock(tr("λ comparison"), QStringLiteral("compareDock"), m_compare, Qt::BottomDockWidgetArea);
    auto* logDock = dock(tr("Log"), QStringLiteral("logDock"), m_log, Qt::BottomDockWidgetArea);
    auto* liveDock = dock(tr("Live edit"), QStringLiteral("liveEditDock"), m_live, Qt::RightDockWidgetArea);
    tabifyDockWidget(strengthDock, liveDock);
    strengthDock->raise();
    tabifyDockWidget(compareDock, logDock);
    compareDock->raise();
    // Corners go to the side docks so the bottom strip sits under the canvas only.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    resizeDocks({faceDock, corpusDock}, {250, 320}, Qt::Horizontal);
    resizeDocks({faceDock, historyDock}, {330, 300}, Qt::Vertical);
    resizeDocks({corpusDock, strengthDock}, {300, 330}, Qt::Vertical);
    resizeDocks({compareDock}, {225}, Qt::Vertical);
    m_dockMenuActions = {faceDock->toggleViewAction(),   historyDock->toggleViewAction(),
                         corpusDock->toggleViewAction(), strengthDock->toggleViewAction(),
                         liveDock->toggleViewAction(),   compareDock->toggleViewAction(),
                         logDock->toggleViewAction()};

    m_statusZoom = new QLabel(this);
    m_statusZoom->setToolTip(tr("Zoom: 100% shows one image pixel per screen pixel"));
    m_statusEta = new QLabel(this);
    m_statusEta->setToolTip(tr("Time left in the running edit"));
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->setToolTip(tr("Progress of the running edit"));
    m_progress->hide();
    statusBar()->addPermanentWidget(m_statusEta);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_statusZoom);

    connect(m_canvas, &ImageCanvas::zoomChanged, this,
            [this](double percent) { m_statusZoom->setText(tr("%1%").arg(percent, 0, 'f', 0)); });
    connect(m_canvas, &ImageCanvas::fileDropped, this, &MainWindow::openFile);
    // Enter with an empty prompt comes here too: runEdit says what is missing.
    connect(m_prompt, &PromptBox::submitted, this, [this] { runEdit(); });
    connect(m_prompt, &QLineEdit::textChanged, this, &MainWindow::scheduleAnalysis);
    connect(m_prompt, &QLineEdit::textChanged, this, &MainWindow::updateTokenCount);
    connect(m_runButton, &QPushButton::clicked, this, [this] {
        m_prompt->addToHistory(m_prompt->text());
        runEdit();
    });
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelWork);
    connect(m_source, &FaceSourcePanel::seedChosen, this, [this](quint64 seed) { showSeed(seed); });
    connect(m_source, &FaceSourcePanel::latentFileChosen, this, [this](const QString& p) { openLatent(p); });
    connect(m_source, &FaceSourcePanel::imageFileChosen, this, [this](const QString& p) { openImage(p); });
    connect(m_source, &FaceSourcePanel::sessionFileChosen, this, [this](const QString& p) { openSession(p); });
    connect(m_corpus, &CorpusPicker::selectionChanged, this, &MainWindow::scheduleAnalysis);
    connect(m_corpus, &CorpusPicker::userCorporaChanged, this, [this] { saveSettings(); });
    connect(m_corpus, &CorpusPicker::promptActivated, this, [this](const QString& p) {
        m_prompt->setText(p);
        m_prompt->setFocus();
    });
    connect(m_compare, &ComparePanel::sweepRequested, this, [this](const std::vector<float>& l) { runSweep(l); });
    connect(m_compare, &ComparePanel::tileActivated, this, &MainWindow::chooseSweepResult);
}

void MainWindow::buildExports()
{
    ExportController::Sources sources;
    sources.window = this;
    sources.models = [this] { return m_models; };
    sources.history = m_history;
    sources.compare = m_compare;
    sources.lastRun = &m_lastRun;
    sources.inPhoto = [this](const QImage& face, std::string* logLine) {
        if (!m_placement || !showsInPhoto())
            return QImage();
        *logLine = std::to_string(1 + m_photoFaces->editedCount()) + " face(s) pasted back into " +
                   m_placement->path.toStdString();
        return composeInPhoto(*m_placement, face, m_photoFaces->backdrop().get());
    };
    m_exports = new ExportController(std::move(sources), this);
    connect(m_exports, &ExportController::status, this,
            [this](const QString& message, int timeoutMs) { statusBar()->showMessage(message, timeoutMs); });
    connect(m_exports, &ExportController::failed, this, &MainWindow::reportError);
    connect(m_exports, &ExportController::interpolatingChanged, this, &MainWindow::updateActions);
    connect(m_compare, &ComparePanel::exportGridRequested, m_exports, &ExportController::exportGridDialog);
}

void MainWindow::buildActions()
{
    QStyle* st = style();
    auto make = [this](const QString& text, const QKeySequence& key, const QString& tip, auto slot) {
        auto* a = new QAction(text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setToolTip(key.isEmpty() ? tip : tr("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        a->setStatusTip(tip);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };

    auto* openFile = make(tr("&Open latent or photo…"), QKeySequence::Open,
                          tr("Open a latent (.safetensors) or a photo"), [this] { openFileDialog(); });
    openFile->setIcon(st->standardIcon(QStyle::SP_DialogOpenButton));
    auto* anotherFace = make(tr("&Another face"), QKeySequence(tr("Ctrl+N")), tr("Start over from a random face"),
                             [this] { m_source->chooseRandomSeed(); });
    anotherFace->setIcon(st->standardIcon(QStyle::SP_BrowserReload));
    auto* openSession = make(tr("Open &session…"), QKeySequence(tr("Ctrl+Shift+O")), tr("Open a saved session"),
                             [this] { openSessionDialog(); });
    auto* recover = make(tr("&Recover previous work…"), QKeySequence(),
                         tr("Open the autosave of the work that was replaced or not restored last time"),
                         [this] { recoverPreviousWork(); });
    m_recoverAction = recover;
    auto* saveSession = make(tr("&Save session"), QKeySequence::Save, tr("Save the edit history and settings"),
                             [this] { saveSessionDialog(false); });
    saveSession->setIcon(st->standardIcon(QStyle::SP_DialogSaveButton));
    auto* saveSessionAs = make(tr("Save session &as…"), QKeySequence(tr("Ctrl+Shift+S")),
                               tr("Save the session under a new name"), [this] { saveSessionDialog(true); });
    auto* exportImage =
        make(tr("&Export image…"), QKeySequence(tr("Ctrl+E")), tr("Save the current image (PNG, JPEG, WebP)"),
             [this] { m_exports->exportImageDialog(); });
    exportImage->setIcon(st->standardIcon(QStyle::SP_DriveFDIcon));
    auto* exportGrid = make(tr("Export comparison &grid…"), QKeySequence(tr("Ctrl+Shift+G")),
                            tr("Save the λ comparison tiles as one image"), [this] { m_exports->exportGridDialog(); });
    auto* exportLatent =
        make(tr("Export &latent…"), QKeySequence(tr("Ctrl+Shift+E")),
             tr("Save the current face's W+ latent as .safetensors"), [this] { m_exports->exportLatentDialog(); });
    auto* exportAnim = make(tr("Export &animation…"), QKeySequence(),
                            tr("Save the last edit's preview frames as an animated GIF or a PNG sequence"),
                            [this] { m_exports->exportAnimationDialog(); });
    auto* exportInterpolation =
        make(tr("Export λ &interpolation…"), QKeySequence(),
             tr("Save an animation from the source face (λ 0) through each λ of the last edit, with in-between "
                "faces interpolated in W+ (GIF or PNG sequence)"),
             [this] { m_exports->exportInterpolationDialog(); });
    auto* quit = make(tr("&Quit"), QKeySequence::Quit, tr("Quit PAE Studio"), [this] { close(); });

    m_undoAction = m_history->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_undoAction->setIcon(st->standardIcon(QStyle::SP_ArrowBack));
    m_undoAction->setToolTip(tr("Go back to the previous face (Ctrl+Z)"));
    m_redoAction = m_history->undoStack()->createRedoAction(this, tr("&Redo"));
    // Not QKeySequence::Redo: on most platforms it is Ctrl+Shift+Z again, and two entries
    // for one key make Qt call the shortcut ambiguous and run neither.
    m_redoAction->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    m_redoAction->setIcon(st->standardIcon(QStyle::SP_ArrowForward));
    m_redoAction->setToolTip(tr("Bring back the edit you undid (Ctrl+Shift+Z or Ctrl+Y)"));

    m_runAction = make(tr("&Run edit"), QKeySequence(tr("Ctrl+Return")), tr("Run the prompt on the current face"),
                       [this] { runEdit(); });
    m_runAction->setIcon(st->standardIcon(QStyle::SP_MediaPlay));
    m_sweepAction =
        make(tr("Run λ &sweep"), QKeySequence(tr("Ctrl+Shift+Return")),
             tr("Run the prompt for every λ of the comparison list"), [this] { m_compare->requestSweep(); });
    m_cancelAction = make(tr("&Cancel"), QKeySequence(Qt::Key_Escape), tr("Stop the running edit or photo inversion"),
                          [this] { cancelWork(); });
    m_cancelAction->setIcon(st->standardIcon(QStyle::SP_MediaStop));
    auto* focusPrompt = make(tr("Focus &prompt"), QKeySequence(tr("Ctrl+L")), tr("Type a new prompt"), [this] {
        m_prompt->setFocus();
        m_prompt->selectAll();
    });

    auto* fit = make(tr("&Fit to window"), QKeySequence(tr("Ctrl+0")), tr("Show the whole image"),
                     [this] { m_canvas->fitToWindow(); });
    auto* actual = make(tr("&Actual size"), QKeySequence(tr("Ctrl+1")), tr("One image pixel per screen pixel"),
                        [this] { m_canvas->actualSize(); });
    auto* zoomIn = make(tr("Zoom &in"), QKeySequence::ZoomIn, tr("Zoom in"), [this] { m_canvas->zoomIn(); });
    auto* zoomOut = make(tr("Zoom &out"), QKeySequence::ZoomOut, tr("Zoom out"), [this] { m_canvas->zoomOut(); });
    m_splitAction = make(tr("&Before/after split"), QKeySequence(tr("Ctrl+B")),
                         tr("Compare with the original: drag the handle; hold Space on the canvas to flip"),
                         [this](bool on) { m_canvas->setSplitEnabled(on); });
    m_splitAction->setCheckable(true);
    connect(m_canvas, &ImageCanvas::splitEnabledChanged, m_splitAction, &QAction::setChecked);
    m_photoViewAction = make(tr("Show in &photo"), QKeySequence(tr("Ctrl+Shift+P")),
                             tr("A face taken from a photo: show and export it pasted back into the whole photo "
                                "(off: the face as the generator draws it)"),
                             [this](bool) { updateComposer(); });
    m_photoViewAction->setCheckable(true);
    m_photoViewAction->setChecked(true);
    m_photoViewAction->setEnabled(false);
    m_otherFaceAction = make(tr("Another face in this p&hoto…"), QKeySequence(),
                             tr("Edit another face of the photo the current face came from; each face keeps "
                                "its own history and all are pasted back into the photo"),
                             [this] { chooseFaceInPhoto(); });
    m_otherFaceAction->setEnabled(false);
    m_markFacesAction = make(tr("&Mark faces in the photo"), QKeySequence(),
                             tr("In the photo view, frame every face found in the photo; click one to edit it"),
                             [this](bool) { updateMarks(); });
    m_markFacesAction->setCheckable(true);
    m_markFacesAction->setChecked(true);
    m_markFacesAction->setEnabled(false);
    auto* models = make(tr("&Models…"), QKeySequence(), tr("Choose the CLIP and StyleGAN2 models, device and threads"),
                        [this] { showModelsDialog(); });
    // On for real models (their faces are FFHQ-aligned), off for the built-in world, whose
    // drawn faces a photo face detector does not find; set again whenever models load.
    m_alignAction = make(tr("&Align faces in photos"), QKeySequence(),
                         tr("Before inverting a photo, find its face and crop it the way FFHQ's faces were cut "
                            "(eyes level, face centred)"),
                         [](bool) {});
    m_alignAction->setCheckable(true);
    if (!pae::FaceAligner::available()) {
        m_alignAction->setEnabled(false);
        m_alignAction->setToolTip(tr("This build of PAE Studio has no dlib: photos are not aligned"));
    }
    models->setIcon(st->standardIcon(QStyle::SP_ComputerIcon));
    auto* about = make(tr("&About PAE Studio"), QKeySequence(), tr("About PAE Studio"), [this] {
        QMessageBox::about(this, tr("About PAE Studio"),
                           tr("<b>PAE Studio %1</b><p>Text-guided face editing with CLIP-PAE "
                              "(Zhou, Zhong, Öztireli, SIGGRAPH 2023).</p>")
                               .arg(QApplication::applicationVersion()));
    });

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addActions({anotherFace, openFile, m_otherFaceAction});
    file->addSeparator();
    file->addActions({openSession, recover, saveSession, saveSessionAs});
    connect(file, &QMenu::aboutToShow, this, [this] { updateActions(); });
    file->addSeparator();
    file->addActions({exportImage, exportGrid, exportLatent, exportAnim, exportInterpolation});
    m_exports->addSizeMenu(file);
    file->addSeparator();
    file->addAction(quit);
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addActions({m_undoAction, m_redoAction});
    edit->addSeparator();
    edit->addActions({m_runAction, m_sweepAction, m_cancelAction, focusPrompt});
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addActions({fit, actual, zoomIn, zoomOut, m_splitAction, m_photoViewAction, m_markFacesAction});
    view->addSeparator();
    view->addActions(m_dockMenuActions);
    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    settings->addActions({models, m_alignAction});
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(about);

    // Short toolbar labels; the menus keep the full names.
    openFile->setIconText(tr("Open…"));
    anotherFace->setIconText(tr("Another face"));
    saveSession->setIconText(tr("Save"));
    exportImage->setIconText(tr("Export…"));
    m_runAction->setIconText(tr("Run"));
    m_cancelAction->setIconText(tr("Cancel"));
    fit->setIconText(tr("Fit"));
    actual->setIconText(tr("100%"));
    m_splitAction->setIconText(tr("Split"));
    m_photoViewAction->setIconText(tr("In photo"));
    models->setIconText(tr("Models…"));
    m_undoAction->setIconText(tr("Undo"));
    m_redoAction->setIconText(tr("Redo"));
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addActions({anotherFace, openFile, saveSession, exportImage});
    bar->addSeparator();
    bar->addActions({m_undoAction, m_redoAction});
    bar->addSeparator();
    bar->addActions({m_runAction, m_cancelAction});
    bar->addSeparator();
    bar->addActions({fit, actual, m_splitAction, m_photoViewAction});
    bar->addSeparator();
    bar->addAction(models);
    // The canvas catches Space itself; these only need to work while the window has focus.
    for (QAction* a : {fit, actual, zoomIn, zoomOut, focusPrompt})
        addAction(a);

    m_needModels = {anotherFace, openFile, openSession, recover, m_runAction, m_sweepAction};
    m_needResult = {exportImage, exportLatent, saveSession, saveSessionAs};
    m_exportGridAction = exportGrid;
    m_exportAnimAction = exportAnim;
    m_exportInterpolationAction = exportInterpolation;
}

void MainWindow::restoreSettings()
{
    QSettings s;
    m_prompt->setHistory(s.value(settings::kPromptHistory).toStringList());
    m_corpus->setUserCorpora(s.value(settings::kUserCorpora).toStringList());
    m_compare->setLambdaText(s.value(settings::kLambdaList, m_compare->lambdaText()).toString());
    // A new user's first face is the loaded models' own (the built-in world's neutral face).
    m_seedFromModels = !s.contains(settings::kSeed);
    m_source->setSeed(s.value(settings::kSeed, 0).toULongLong());
    if (!restoreGeometry(s.value(settings::kWindowGeometry).toByteArray()))
        resize(1366, 768);
    restoreState(s.value(settings::kWindowState).toByteArray());
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(settings::kPromptHistory, m_prompt->history());
    s.setValue(settings::kUserCorpora, m_corpus->userCorpora());
    s.setValue(settings::kCurrentCorpus, m_corpus->currentCorpus());
    s.setValue(settings::kLambdaList, m_compare->lambdaText());
    s.setValue(settings::kSeed, m_source->seed());
    s.setValue(settings::kWindowGeometry, saveGeometry());
    s.setValue(settings::kWindowState, saveState());
}

void MainWindow::updateActions()
{
    const bool haveModels = m_models != nullptr;
    const bool busy = m_editor->isBusy();
    const bool haveFace = !m_history->isEmpty();
    for (QAction* a : m_needModels)
        a->setEnabled(haveModels);
    m_recoverAction->setEnabled(haveModels && QFileInfo::exists(Document::previousAutosavePath()));
    for (QAction* a : m_needResult)
        a->setEnabled(haveFace);
    // While a job runs, Run stays off so a second Enter does not silently restart it.
    // Nor while a new face is on its way: the edit would belong to the face it replaces.
    const bool canRun = haveModels && haveFace && !m_referenceMode && !busy && !m_faces->isBusy();
    m_runAction->setEnabled(canRun);
    m_sweepAction->setEnabled(canRun);
    m_runButton->setEnabled(canRun);
    m_compare->setRunEnabled(canRun);
    m_cancelAction->setEnabled(busy || isInverting());
    m_cancelButton->setEnabled(busy || isInverting());
    m_exportGridAction->setEnabled(m_compare->tileCount() > 0);
    m_exportAnimAction->setEnabled(!m_lastRun.outcome.previewFrames.isEmpty());
    m_exportInterpolationAction->setEnabled(!m_lastRun.entries.isEmpty() && !m_exports->isInterpolating());
    const QString why =
        m_faces->isBusy() && m_pendingFace.kind == FaceRequest::Kind::Photo
            ? tr("The photo is being inverted into the generator's latent space; edits start from it "
                 "once it is done.")
        : m_referenceMode
            ? tr("The photo could not be inverted (see the log). Pick a seed, open a latent or another photo.")
            : tr("Edit the current face towards the prompt with the strength λ (Ctrl+Return).");
    m_runButton->setToolTip(why);
    m_progress->setVisible(busy);
    m_statusEta->setVisible(busy);
}

void MainWindow::updateTitle()
{
    const QString name = m_doc->path().isEmpty() ? tr("Untitled") : QFileInfo(m_doc->path()).fileName();
    setWindowTitle(tr("%1[*] — PAE Studio").arg(name));
    setWindowModified(m_doc->hasUnsavedWork());
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
    m_canvas->setPlaceholderText(tr("Loading the models…"));
    m_loader->load(paths);
}

QString MainWindow::corpusRootFor(const pae::ModelInfo& info) const
{
    return QString::fromStdString(info.corpusRoot.string());
}

void MainWindow::startNewHistory()
{
    m_editor->cancel();
    ++m_historyGeneration;
}

void MainWindow::setModels(std::shared_ptr<pae::ModelSet> models)
{
    m_models = std::move(models);
    const pae::ModelInfo info = m_models->info();
    pae::log::info("models: {} / {} on {}", info.clipDescription, info.generatorDescription, info.device);
    m_strength->setIdentityAvailable(!info.identityDescription.empty());
    m_strength->setDefaults(pae::EditRequest::defaults(info));
    m_alignAction->setChecked(!info.builtin && pae::FaceAligner::available());
    m_liveEdit->setModels(m_models);
    const QString keep = QSettings().value(settings::kCurrentCorpus).toString();
    m_analyzedKey.clear();
    m_corpus->setCorpusRoot(corpusRootFor(info));
    if (!keep.isEmpty())
        m_corpus->setCurrentCorpus(keep);
    m_canvas->setPlaceholderText(tr("Pick a seed or open a latent to start."));
    updateTokenCount(); // another text encoder, another limit
    // Latents of another generator do not fit these models: start from a face of this one.
    startNewHistory();
    m_history->clear();
    m_photoFaces->clear();
    m_compare->clearTiles();
    m_lastRun = {};
    if (m_seedFromModels && info.firstSeed)
        m_source->setSeed(*info.firstSeed);
    m_seedFromModels = false;
    showSeed(m_source->seed());
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
        QTimer::singleShot(0, this, &MainWindow::offerAutosaveRestore);
    }
}

void MainWindow::connectLiveEdit()
{
    m_liveEdit = new LiveEditController(m_history, m_live, this);
    // The canvas shows the live render until the face on screen changes or it is applied.
    connect(m_liveEdit, &LiveEditController::frameReady, this,
            [this](const QImage& image) { m_canvas->setFrame(image); });
    connect(m_liveEdit, &LiveEditController::errorOccurred, this, &MainWindow::reportError);
    connect(m_liveEdit, &LiveEditController::applied, this, [this](const QString& label) {
        statusBar()->showMessage(tr("Applied: %1").arg(label), 5000);
        autosave();
    });
    connect(m_live, &LiveEditPanel::savePresetRequested, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save as preset"), tr("Name of the preset:"),
                                                   QLineEdit::Normal, m_history->current().prompt, &ok);
        if (!ok)
            return;
        try {
            const QString path = m_liveEdit->saveCurrentAsPreset(name);
            statusBar()->showMessage(tr("Saved the preset %1").arg(path), 5000);
        } catch (const std::exception& ex) {
            reportError(tr("Cannot save the preset"), QString::fromUtf8(ex.what()));
        }
    });
    connect(m_live, &LiveEditPanel::refineRequested, this, [this] { refinePreset(); });
    connect(m_live, &LiveEditPanel::importPresetRequested, this, [this] {
        const QString path =
            FileDialogs::openFile(this, FileDialogs::Kind::Preset, tr("Import preset"), tr("Presets (*.preset)"));
        if (path.isEmpty())
            return;
        try {
            m_liveEdit->importPreset(path);
        } catch (const std::exception& ex) {
            reportError(tr("Cannot import the preset"), QString::fromUtf8(ex.what()));
        }
    });
    connect(m_live, &LiveEditPanel::exportPresetRequested, this, [this](const QString& preset) {
        const QString path = FileDialogs::saveFile(this, FileDialogs::Kind::Preset, tr("Export preset"),
                                                   QFileInfo(preset).fileName(), tr("Presets (*.preset)"));
        if (path.isEmpty())
            return;
        try {
            m_liveEdit->exportPreset(preset, path);
            statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        } catch (const std::exception& ex) {
            reportError(tr("Cannot export the preset"), QString::fromUtf8(ex.what()));
        }
    });
    connect(m_live, &LiveEditPanel::deletePresetRequested, this, [this](const QString& preset) {
        if (QMessageBox::question(
                this, tr("Remove the preset?"),
                tr("Remove %1 from your presets? The file is deleted.").arg(QFileInfo(preset).fileName())) !=
            QMessageBox::Yes)
            return;
        try {
            m_liveEdit->removePreset(preset);
        } catch (const std::exception& ex) {
            reportError(tr("Cannot remove the preset"), QString::fromUtf8(ex.what()));
        }
    });
}

void MainWindow::showModelsDialog()
{
    ModelsDialog dialog(ModelsDialog::savedPaths(), this);
    if (dialog.exec() == QDialog::Accepted && dialog.models())
        replaceModels(dialog.models());
}

// Faces -----------------------------------------------------------------------------------

bool MainWindow::confirmReplace(const QString& what)
{
    return m_doc->confirmReplace(this, what, [this] { saveSessionDialog(false); });
}

bool MainWindow::showSeed(quint64 seed)
{
    if (!m_models) {
        reportError(tr("No models"), tr("The models are not loaded yet."));
        return false;
    }
    if (!confirmReplace(tr("The face of seed %1").arg(seed))) {
        // The seed box (Another face sets it first) goes back to the face on screen.
        if (!m_history->isEmpty() && m_history->at(0).kind == HistoryEntry::Kind::Seed)
            m_source->setSeed(m_history->at(0).seed);
        return false;
    }
    FaceRequest request;
    request.kind = FaceRequest::Kind::Seed;
    request.seed = seed;
    PendingFace pending;
    pending.seed = seed;
    pending.status = tr("Making the face of seed %1…").arg(seed);
    m_source->setSeed(seed);
    requestFace(std::move(request), std::move(pending));
    return true;
}

bool MainWindow::openLatent(const QString& path)
{
    if (!m_models) {
        reportError(tr("No models"), tr("The models are not loaded yet."));
        return false;
    }
    if (!confirmReplace(tr("The latent %1").arg(QFileInfo(path).fileName())))
        return false;
    FileDialogs::remember(FileDialogs::Kind::Face, path);
    FaceRequest request;
    request.kind = FaceRequest::Kind::LatentFile;
    request.path = QFileInfo(path).absoluteFilePath();
    PendingFace pending;
    pending.path = request.path;
    pending.status = tr("Opening %1…").arg(QFileInfo(path).fileName());
    requestFace(std::move(request), std::move(pending));
    return true;
}

bool MainWindow::isLoadingFace() const { return m_faces->isBusy() || m_sessionParse != 0; }

bool MainWindow::alignsPhotos() const { return m_alignAction->isChecked(); }

void MainWindow::setAlignPhotos(bool on) { m_alignAction->setChecked(on && m_alignAction->isEnabled()); }

bool MainWindow::isInverting() const { return m_faces->isBusy() && m_pendingFace.kind == FaceRequest::Kind::Photo; }

void MainWindow::cancelWork()
{
    if (m_editor->isBusy()) {
        m_editor->cancel();
        return;
    }
    if (!isInverting())
        return;
    const QString name = QFileInfo(m_pendingFace.path).fileName();
    m_faces->cancel(); // the inversion stops within a step and reports nothing
    m_pendingFace = {};
    showCurrentEntry(); // back to the face the photo was to replace, when there is one
    statusBar()->showMessage(tr("Inversion of %1 cancelled.").arg(name), 5000);
    pae::log::info("inversion of {} cancelled", name.toStdString());
    updateActions();
}

void MainWindow::requestFace(FaceRequest request, PendingFace pending)
{
    m_sessionParse = 0; // a session still being read is superseded too
    pending.kind = request.kind;
    pending.id = m_faces->request(m_models, std::move(request));
    statusBar()->showMessage(pending.status);
    m_pendingFace = std::move(pending);
    updateActions();
}

void MainWindow::onFaceRendered(quint64 id, const FaceResult& result)
{
    if (id != m_pendingFace.id)
        return;
    PendingFace pending = std::move(m_pendingFace);
    m_pendingFace = {};
    if (statusBar()->currentMessage() == pending.status)
        statusBar()->clearMessage();
    if (pending.kind == FaceRequest::Kind::Latents) {
        applySession(std::move(pending.session), result.images, result.thumbnails, pending.path, pending.fromAutosave);
    } else {
        HistoryEntry e;
        if (pending.kind == FaceRequest::Kind::Seed) {
            e.kind = HistoryEntry::Kind::Seed;
            e.seed = pending.seed;
            e.label = tr("Seed %1").arg(pending.seed);
        } else if (pending.kind == FaceRequest::Kind::Photo) {
            e.kind = HistoryEntry::Kind::Photo;
            e.sourceFile = pending.path;
            const QString face = result.placement && result.placement->facesFound > 1
                                     ? tr(", face %1").arg(result.placement->face)
                                     : QString();
            e.label = tr("%1 (%2inverted%3, %4 dB)")
                          .arg(QFileInfo(pending.path).fileName() + face, pending.aligned ? tr("aligned, ") : QString(),
                               pending.cartoon ? tr(" into the cartoon world") : QString())
                          .arg(double(result.psnr), 0, 'f', 1);
            m_source->addRecentFile(pending.path);
        } else {
            e.kind = HistoryEntry::Kind::LatentFile;
            e.sourceFile = pending.path;
            e.label = QFileInfo(pending.path).fileName();
            m_source->addRecentFile(pending.path);
        }
        e.latent = result.latents.front();
        e.image = result.images.front();
        e.thumbnail = result.thumbnails.value(0);
        e.placement = result.placement;
        const bool switching = pending.switchFrom && result.placement;
        if (switching) {
            // Found in the very pixels of the photo the other faces sit in: the same file.
            auto placement = std::make_shared<PhotoPlacement>(*result.placement);
            placement->sha256 = pending.switchFrom->sha256;
            placement->colorSpace = pending.switchFrom->colorSpace;
            e.placement = placement;
            keepCurrentFace();
        }
        adoptFace(e, switching);
        setPlacement(e.placement);
        if (pending.kind == FaceRequest::Kind::Photo) {
            // Which path the photo took (encoder or optimization only) and what it cost.
            const QString path = result.encoded ? tr(" by the encoder in %1 s, then %2 refinement steps (%3 s in all)")
                                                      .arg(result.encodeSeconds, 0, 'f', 1)
                                                      .arg(result.inversionSteps)
                                                      .arg(result.inversionSeconds, 0, 'f', 1)
                                                : tr(" by %1 optimization steps in %2 s")
                                                      .arg(result.inversionSteps)
                                                      .arg(result.inversionSeconds, 0, 'f', 1);
            const QString how =
                tr("%1 %2inverted%5: its latent draws it at %3 dB PSNR%4.")
                    .arg(QFileInfo(pending.path).fileName(),
                         !pending.aligned ? QString()
                         : result.facesFound > 1
                             ? tr("aligned (the largest of the %1 faces found) and ").arg(result.facesFound)
                             : tr("aligned and "))
                    .arg(double(result.psnr), 0, 'f', 1)
                    .arg(result.cropped ? tr(" (it is not square: its centre square was used)") : QString())
                    .arg(path);
            pae::log::info("{}", how.toStdString());
            statusBar()->showMessage(how, 8000);
        }
    }
    updateActions();
    Q_EMIT faceShown();
}

void MainWindow::onFaceFailed(quint64 id, const QString& message)
{
    if (id != m_pendingFace.id)
        return;
    const FaceRequest::Kind kind = m_pendingFace.kind;
    m_pendingFace = {};
    if (kind == FaceRequest::Kind::Photo)
        showCurrentEntry(); // back to the face the photo was to replace, when there is one
    // reportError puts the message in the status bar.
    updateActions();
    reportError(kind == FaceRequest::Kind::Seed         ? tr("Cannot make a face")
                : kind == FaceRequest::Kind::LatentFile ? tr("Cannot open the latent")
                : kind == FaceRequest::Kind::Photo      ? tr("Cannot invert the photo")
                                                        : tr("Cannot open the session"),
                message);
    Q_EMIT faceFailed(message);
}

void MainWindow::adoptFace(const HistoryEntry& source, bool switchingFace)
{
    startNewHistory();
    if (!switchingFace)
        m_photoFaces->clear(); // other work: the last photo's faces go with its face
    setPlacement(nullptr);     // the photo face's own comes after
    m_referenceMode = false;
    m_source->setReferenceNotice(false);
    // Tiles and frames of the last run belong to the old face: a click on one must not
    // put an edit of another face into this history.
    m_compare->clearTiles();
    m_lastRun = {};
    m_history->reset(source);
    m_canvas->setImage(source.image);
    // A photo's inverted face is work (an inversion can take minutes); a seed's is not.
    // Another face of the same photo is more of the same work, saved in the same file.
    if (switchingFace)
        m_doc->markDirty();
    else
        m_doc->startNew(QString(), source.kind == HistoryEntry::Kind::Photo);
    updateActions();
}

bool MainWindow::openImage(const QString& path, int face)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull()) {
        reportError(tr("Cannot open image"), tr("%1: %2").arg(path, reader.errorString()));
        return false;
    }
    if (!m_models) {
        reportError(tr("No models"),
                    tr("%1: the models are not loaded yet, and a photo is inverted with them.").arg(path));
        return false;
    }
    if (!confirmReplace(tr("The photo %1").arg(QFileInfo(path).fileName())))
        return false;
    const pae::ModelInfo info = m_models->info();
    bool cartoon = false;
    FileDialogs::remember(FileDialogs::Kind::Face, path);
    // A picture the size of the world's own faces is most likely one of them (an export);
    // anything else is a photo, which the cartoon world cannot draw: say so before the
    // inversion is spent on it.
    const bool samePhoto = m_placement && QFileInfo(m_placement->path) == QFileInfo(path);
    if (info.builtin && image.size() != QSize(info.resolution, info.resolution) && !samePhoto) {
        QMessageBox box(QMessageBox::Information, tr("The built-in models draw cartoons"),
                        tr("The built-in SynthFace models draw small cartoon faces (%1×%1); they cannot draw a photo. "
                           "%2 (%3×%4) would come back as the closest cartoon they can draw, not as the person in it.")
                            .arg(info.resolution)
                            .arg(QFileInfo(path).fileName())
                            .arg(image.width())
                            .arg(image.height()),
                        QMessageBox::Cancel, this);
        box.setInformativeText(tr("Load real CLIP and StyleGAN2 models (Settings › Models…) to edit photos. "
                                  "Invert anyway to see what the built-in world makes of it."));
        QPushButton* anyway = box.addButton(tr("Invert anyway"), QMessageBox::AcceptRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        if (box.clickedButton() != anyway) {
            statusBar()->showMessage(tr("%1 not opened.").arg(QFileInfo(path).fileName()), 5000);
            return false;
        }
        cartoon = true;
    }
    requestPhotoFace(path, image.convertToFormat(QImage::Format_RGB888), face, m_alignAction->isChecked() || face > 0,
                     cartoon, nullptr);
    return true;
}

void MainWindow::requestPhotoFace(const QString& path, const QImage& photo, int face, bool align, bool cartoon,
                                  std::shared_ptr<const PhotoPlacement> switchFrom)
{
    startNewHistory(); // a running edit's previews would paint over the photo
    m_referenceMode = true;
    m_source->setReferenceNotice(true);
    m_canvas->setComposer({}); // the photo as it is, not pasted into the last one
    m_canvas->setMarks({});
    m_canvas->setImage(photo);
    m_canvas->setBeforeImage(QImage());
    FaceRequest request;
    request.kind = FaceRequest::Kind::Photo;
    request.path = QFileInfo(path).absoluteFilePath();
    request.photo = photo;
    request.align = align;
    request.face = face;
    PendingFace pending;
    pending.path = request.path;
    pending.aligned = request.align;
    pending.cartoon = cartoon;
    pending.switchFrom = std::move(switchFrom);
    pending.status =
        (request.align ? tr("Aligning and inverting %1 (%2×%3): finding its face, then the latent that draws it…")
                       : tr("Inverting %1 (%2×%3): finding the latent that draws it…"))
            .arg(QFileInfo(path).fileName() + (face > 0 ? tr(", face %1").arg(face) : QString()))
            .arg(photo.width())
            .arg(photo.height());
    requestFace(std::move(request), std::move(pending));
}

QImage MainWindow::currentImage() const { return m_canvas->image(); }

bool MainWindow::showsInPhoto() const { return m_photoViewAction->isChecked(); }

void MainWindow::setShowInPhoto(bool on)
{
    m_photoViewAction->setChecked(on);
    updateComposer();
}

void MainWindow::setPlacement(std::shared_ptr<const PhotoPlacement> placement)
{
    m_placement = std::move(placement);
    m_photoViewAction->setEnabled(m_placement != nullptr);
    m_otherFaceAction->setEnabled(m_placement && m_placement->facesFound > 1);
    m_markFacesAction->setEnabled(m_placement && m_placement->facesFound > 1);
    m_otherFaceAction->setToolTip(m_placement && m_placement->facesFound > 1
                                      ? tr("%1 has %2 faces; edit another one (each keeps its own history)")
                                            .arg(QFileInfo(m_placement->path).fileName())
                                            .arg(m_placement->facesFound)
                                      : tr("Only for a photo with several faces, opened with alignment on"));
    m_photoViewAction->setToolTip(
        m_placement ? tr("Show and export the face pasted back into %1 (%2×%3)")
                          .arg(QFileInfo(m_placement->path).fileName())
                          .arg(m_placement->photo.width)
                          .arg(m_placement->photo.height)
                    : tr("Only for a face taken from a photo with Settings › Align faces in photos on"));
    updateComposer();
}

void MainWindow::chooseFaceInPhoto()
{
    if (!m_placement || m_placement->facesFound < 2)
        return;
    const std::shared_ptr<const PhotoPlacement> placement = m_placement;
    QStringList items;
    for (size_t k = 0; k < placement->faceBoxes.size(); ++k) {
        const auto& b = placement->faceBoxes[k];
        QString state;
        if (int(k) == placement->face)
            state = tr(", being edited");
        else if (const PhotoFaces::Face* kept = m_photoFaces->find(int(k)))
            state = kept->work.current > 0 ? tr(", %n edit(s)", nullptr, kept->work.current) : tr(", inverted");
        items << tr("Face %1%2: %3×%4 pixels at (%5, %6)%7")
                     .arg(k)
                     .arg(k == 0 ? tr(" (the largest)") : QString())
                     .arg(b[2])
                     .arg(b[3])
                     .arg(b[0])
                     .arg(b[1])
                     .arg(state);
    }
    bool ok = false;
    const QString chosen = QInputDialog::getItem(
        this, tr("Another face in %1").arg(QFileInfo(placement->path).fileName()),
        tr("Face %1 is being edited now. Which face next? Each face keeps its own history, and all edited faces "
           "are pasted back into the photo.")
            .arg(placement->face),
        items, int((placement->face + 1) % items.size()), false, &ok);
    if (ok && m_placement == placement)
        editFaceInPhoto(int(items.indexOf(chosen)));
}

bool MainWindow::editFaceInPhoto(int face)
{
    if (!m_placement || m_history->isEmpty()) {
        reportError(tr("Another face"), tr("The current face is not taken from a photo."));
        return false;
    }
    const std::shared_ptr<const PhotoPlacement> from = m_placement;
    const QString name = QFileInfo(from->path).fileName();
    if (face < 0 || face >= from->facesFound) {
        reportError(tr("Another face"), tr("%1: face %2 asked for, but %3 faces were found (faces are numbered from 0, "
                                           "the largest first)")
                                            .arg(name)
                                            .arg(face)
                                            .arg(from->facesFound));
        return false;
    }
    if (face == from->face)
        return true; // already the one edited
    if (m_editor->isBusy() || isLoadingFace()) {
        reportError(tr("Another face"),
                    tr("Face %1 of %2 is still being worked on; wait for it to finish or cancel it (Esc) first.")
                        .arg(from->face)
                        .arg(name));
        return false;
    }
    if (std::optional<PhotoFaces::Face> back = m_photoFaces->take(face)) {
        // Edited before: back at once, with its history.
        keepCurrentFace();
        adoptFace(back->work.entries.first(), true);
        m_history->restore(back->work.entries, back->work.current);
        setPlacement(back->placement);
        m_canvas->setImage(m_history->current().image);
        m_canvas->setBeforeImage(m_history->at(0).image);
        updateActions();
        statusBar()->showMessage(
            tr("Editing face %1 of %2 again (%n edit(s)); face %3 is kept.", nullptr, back->work.current)
                .arg(face)
                .arg(name)
                .arg(from->face),
            5000);
        pae::log::info("editing face {} of {} again; face {} kept", face, name.toStdString(), from->face);
        return true;
    }
    const pae::ModelInfo info = m_models->info();
    const QImage photo = [&] {
        QImage image = toQImage(from->photo);
        image.setColorSpace(from->colorSpace);
        return image;
    }();
    const bool cartoon = info.builtin && photo.size() != QSize(info.resolution, info.resolution);
    requestPhotoFace(from->path, photo, face, true, cartoon, from);
    return true;
}

void MainWindow::keepCurrentFace()
{
    if (!m_placement || m_history->isEmpty())
        return;
    PhotoFaces::Face kept;
    kept.work.entries = m_history->entries();
    kept.work.current = m_history->currentIndex();
    kept.placement = m_placement;
    m_photoFaces->keep(m_placement->face, std::move(kept));
}

void MainWindow::updateComposer()
{
    if (m_referenceMode)
        return; // a photo waiting for its inversion is shown as it is
    if (m_placement && showsInPhoto())
        m_canvas->setComposer([composer = std::make_shared<PhotoComposer>(m_placement, m_photoFaces->backdrop())](
                                  const QImage& face) { return composer->compose(face); });
    else if (m_canvas->hasComposer())
        m_canvas->setComposer({});
    updateMarks();
}

void MainWindow::updateMarks()
{
    QVector<ImageCanvas::Mark> marks;
    if (m_placement && showsInPhoto() && !m_referenceMode && m_markFacesAction->isChecked() &&
        m_placement->facesFound > 1) {
        for (size_t k = 0; k < m_placement->faceBoxes.size(); ++k) {
            const auto& b = m_placement->faceBoxes[k];
            ImageCanvas::Mark mark;
            mark.box = QRectF(b[0], b[1], b[2], b[3]);
            mark.current = int(k) == m_placement->face;
            const PhotoFaces::Face* kept = m_photoFaces->find(int(k));
            mark.label = mark.current             ? tr("Face %1 · editing").arg(k)
                         : !kept                  ? tr("Face %1").arg(k)
                         : kept->work.current > 0 ? tr("Face %1 · %n edit(s)", nullptr, kept->work.current).arg(k)
                                                  : tr("Face %1 · inverted").arg(k);
            marks << mark;
        }
    }
    m_canvas->setMarks(marks);
}

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

void MainWindow::showCurrentEntry()
{
    if (m_history->isEmpty())
        return;
    const HistoryEntry& e = m_history->current();
    if (m_referenceMode) {
        m_referenceMode = false;
        m_source->setReferenceNotice(false);
        updateComposer();
        m_canvas->setImage(e.image);
    } else {
        m_canvas->setFrame(e.image);
    }
    m_canvas->setBeforeImage(m_history->at(0).image);
    QString text = tr("<b>Current face:</b> %1").arg(e.label.toHtmlEscaped());
    if (m_history->currentIndex() > 0)
        text += tr("<br>started from %1, %2 edit(s)")
                    .arg(m_history->at(0).label.toHtmlEscaped())
                    .arg(m_history->currentIndex());
    m_source->setSourceDescription(text);
    updateActions();
}

// Corpus analysis -------------------------------------------------------------------------

QString MainWindow::analysisKey() const
{
    return QStringLiteral("%1\n%2\n%3\n%4")
        .arg(m_prompt->text().trimmed(), m_corpus->currentCorpus())
        .arg(int(m_corpus->basis()))
        .arg(m_corpus->pcaComponents());
}

void MainWindow::updateTokenCount()
{
    const QString prompt = m_prompt->text().trimmed();
    if (!m_models || prompt.isEmpty()) {
        m_tokens->clear();
        m_tokens->setToolTip(tr("Tokens of the prompt against what the text encoder reads"));
        return;
    }
    const pae::PromptTokens t = m_models->countTokens(prompt.toStdString());
    if (t.fits()) {
        m_tokens->setText(tr("%1/%2 tokens").arg(t.tokens).arg(t.limit));
        m_tokens->setStyleSheet(QString());
        m_tokens->setToolTip(
            tr("The text encoder reads the whole prompt: %1 of its %2 tokens (start and end included).")
                .arg(t.tokens)
                .arg(t.limit));
        return;
    }
    m_tokens->setText(tr("%1/%2 tokens: too long").arg(t.tokens).arg(t.limit));
    m_tokens->setStyleSheet(QStringLiteral("QLabel { color: #b00020; font-weight: bold; }"));
    m_tokens->setToolTip(
        tr("The text encoder reads %1 tokens; the prompt has %2, so it reads only\n“%3”\nand cuts “%4”.")
            .arg(t.limit)
            .arg(t.tokens)
            .arg(QString::fromStdString(t.read).trimmed(), QString::fromStdString(t.cut).trimmed()));
}

void MainWindow::scheduleAnalysis()
{
    // The same question again (after an edit, say) has the answer on screen already.
    if (m_models && !m_corpus->currentCorpus().isEmpty() && analysisKey() != m_analyzedKey) {
        m_corpus->setAnalysisPending();
        m_analysisTimer->start();
    }
}

void MainWindow::analyze()
{
    if (!m_models || m_corpus->currentCorpus().isEmpty())
        return;
    if (m_editor->isBusy()) {
        // The job has the CPU (and the models); analyze when it is done.
        m_analysisDeferred = true;
        m_corpus->setAnalysisPending(tr("The analysis waits for the running edit."));
        return;
    }
    m_analyzedKey = analysisKey();
    // An empty prompt still shows the corpus and its basis; the subspace check needs a prompt.
    const QString prompt = m_prompt->text().trimmed().isEmpty() ? tr("a face") : m_prompt->text().trimmed();
    m_analyzer->analyze(m_models, {prompt.toStdString(), m_corpus->currentCorpus().toStdString(), m_corpus->basis(),
                                   m_corpus->pcaComponents()});
}

void MainWindow::onAnalyzed(const pae::PromptAnalysis& a)
{
    m_corpus->setAnalysis(a);
    QStringList prompts;
    for (const std::string& p : a.corpusPrompts)
        prompts << QString::fromStdString(p);
    m_prompt->setCompletions(prompts);
    Q_EMIT corpusAnalyzed();
}

// Edits -----------------------------------------------------------------------------------

bool MainWindow::runEdit() { return startJob({float(m_strength->lambda())}, false); }

bool MainWindow::runSweep(const std::vector<float>& lambdas) { return startJob(lambdas, true); }

bool MainWindow::isEditing() const { return m_editor->isBusy(); }

bool MainWindow::canStartEdit()
{
    if (!m_models || m_history->isEmpty()) {
        reportError(tr("Cannot edit yet"), tr("Load the models and pick a face first."));
        return false;
    }
    if (m_editor->isBusy()) {
        statusBar()->showMessage(tr("An edit is running; cancel it first (Esc)."), 5000);
        return false;
    }
    if (m_faces->isBusy()) {
        statusBar()->showMessage(tr("A new face is on its way; run the edit once it is shown."), 5000);
        return false;
    }
    if (m_referenceMode) {
        reportError(tr("No face to edit"),
                    tr("The photo on screen could not be inverted into a latent, so there is no face to edit. "
                       "Pick a seed, open a latent or another photo."));
        return false;
    }
    return true;
}

bool MainWindow::startJob(const std::vector<float>& lambdas, bool sweep)
{
    if (!canStartEdit())
        return false;
    const QString prompt = m_prompt->text().trimmed();
    if (prompt.isEmpty()) {
        reportError(tr("No prompt"), tr("Type what the face should become, e.g. “a happy face”."));
        m_prompt->setFocus();
        return false;
    }
    if (m_corpus->currentCorpus().isEmpty()) {
        reportError(tr("No corpus"), tr("Choose the corpus the edit belongs to, or add one."));
        return false;
    }
    pae::EditRequest r = pae::EditRequest::defaults();
    m_strength->applyTo(r);
    r.lambdas = lambdas;
    r.source = m_history->current().latent;
    r.prompt = prompt.toStdString();
    r.corpus = m_corpus->currentCorpus().toStdString();
    r.basis = m_corpus->basis();
    r.pcaComponents = m_corpus->pcaComponents();
    const int resolution = m_models->info().resolution;
    if (resolution > 0)
        r.previewSize = std::min(r.previewSize, resolution);
    try {
        r.validate();
    } catch (const std::exception& ex) {
        reportError(tr("Invalid settings"), QString::fromUtf8(ex.what()));
        return false;
    }
    m_prompt->addToHistory(prompt);
    const pae::PromptTokens tokens = m_models->countTokens(r.prompt);
    QString cut;
    if (!tokens.fits()) {
        cut = tr("The prompt is %1 tokens and the text encoder reads %2: the edit uses “%3”; “%4” is cut.")
                  .arg(tokens.tokens)
                  .arg(tokens.limit)
                  .arg(QString::fromStdString(tokens.read).trimmed(), QString::fromStdString(tokens.cut).trimmed());
        pae::log::warn("{}", cut.toStdString());
    }
    m_runningLabelSuffix.clear();
    launchEdit(std::move(r), sweep, m_corpus->currentCorpus(), cut);
    return true;
}

bool MainWindow::refinePreset()
{
    if (!canStartEdit())
        return false;
    pae::EditRequest r;
    try {
        r = m_liveEdit->refineRequest(pae::kDefaultRefineSteps);
    } catch (const std::exception& ex) {
        reportError(tr("Cannot refine the preset"), QString::fromUtf8(ex.what()));
        return false;
    }
    const int resolution = m_models->info().resolution;
    if (resolution > 0)
        r.previewSize = std::min(r.previewSize, resolution);
    m_runningLabelSuffix = tr(", refined");
    const QString corpus = QString::fromStdString(r.corpus);
    launchEdit(std::move(r), false, corpus, QString());
    return true;
}

void MainWindow::launchEdit(pae::EditRequest r, bool sweep, const QString& corpus, const QString& cut)
{
    const std::vector<float> lambdas = r.lambdas;
    m_runningRequest = r;
    m_runningSource = r.source;
    m_runningRequest.source = {};
    m_runningRequest.start = {};
    m_runningGeneration = m_historyGeneration;
    m_runningCorpus = corpus;
    m_sweepRunning = sweep;
    if (sweep) {
        QStringList shown;
        for (float l : lambdas)
            shown << QString::number(double(l), 'g', 4);
        m_compare->setLambdaText(shown.join(QStringLiteral(", ")));
        m_compare->startSweep(lambdas);
    }
    m_progress->setRange(0, r.steps);
    m_progress->setValue(0);
    m_statusEta->clear();
    m_editor->start(m_models, r);
    // Typing is done: Ctrl+Z now undoes edits of the face, not letters of the prompt (as in
    // Photoshop, history undo wins outside text editing). Ctrl+L goes back to the prompt.
    if (m_prompt->hasFocus())
        m_canvas->setFocus(Qt::OtherFocusReason);
    pae::log::info("edit: \"{}\" corpus {}, {} λ value(s), {} steps{}", r.prompt, corpus.toStdString(),
                   r.lambdas.size(), r.steps, r.start.empty() ? "" : ", from a preset applied to the face");
    const QString what =
        sweep ? tr("Running a sweep of %1 λ values…").arg(lambdas.size())
        : r.start.empty()
            ? tr("Editing…")
            : tr("Refining “%1” on this face (%2 steps)…").arg(QString::fromStdString(r.prompt)).arg(r.steps);
    statusBar()->showMessage(cut.isEmpty() ? what : what + QLatin1Char(' ') + cut);
    updateActions();
}

void MainWindow::onProgress(const pae::EditProgress& p)
{
    m_progress->setMaximum(std::max(1, p.steps));
    m_progress->setValue(p.step);
    if (p.step > 0 && p.elapsedSeconds > 0) {
        const double eta = p.elapsedSeconds / p.step * (p.steps - p.step);
        m_statusEta->setText(tr("ETA %1").arg(formatDuration(eta)));
    }
    if (!p.loss.empty())
        statusBar()->showMessage(
            tr("Step %1/%2 · loss %3").arg(p.step).arg(p.steps).arg(double(p.loss.front()), 0, 'f', 4));
}

void MainWindow::onPreview(int step, const QVector<QImage>& frames)
{
    if (frames.isEmpty())
        return;
    const int shown = m_sweepRunning ? std::clamp(m_compare->selectedTile(), 0, int(frames.size()) - 1) : 0;
    m_canvas->setFrame(frames[shown]);
    if (m_sweepRunning)
        m_compare->setFrames(frames);
    Q_EMIT previewShown(step);
}

void MainWindow::onFinished(const EditOutcome& outcome)
{
    const pae::EditResult& r = outcome.result;
    m_progress->setValue(m_progress->maximum());
    if (m_runningGeneration != m_historyGeneration) {
        // The face was replaced while the job ran (new seed, latent, session or models):
        // its result belongs to a history that no longer exists.
        m_sweepRunning = false;
        m_compare->clearTiles();
        updateActions();
        Q_EMIT editFinished();
        return;
    }
    if (r.cancelled || r.latents.empty()) {
        statusBar()->showMessage(tr("Cancelled after %1 steps; the face is unchanged.").arg(r.stepsRun), 8000);
        pae::log::info("edit cancelled after {} steps", r.stepsRun);
        if (!m_referenceMode)
            showCurrentEntry();
        if (m_sweepRunning)
            m_compare->clearTiles();
        m_sweepRunning = false;
        updateActions();
        Q_EMIT editFinished();
        return;
    }
    const quint64 sweepId = m_nextSweepId++;
    QVector<HistoryEntry> entries;
    for (size_t i = 0; i < r.latents.size(); ++i) {
        HistoryEntry e;
        e.kind = HistoryEntry::Kind::Edit;
        e.prompt = QString::fromStdString(m_runningRequest.prompt);
        e.corpus = m_runningCorpus;
        e.settings = m_runningRequest;
        e.lambda = i < r.lambdas.size() ? r.lambdas[i] : 0.f;
        e.settings.lambdas = {e.lambda};
        e.label = entryLabel(e.prompt, e.lambda) + m_runningLabelSuffix;
        if (i < r.metrics.size()) {
            e.metrics = r.metrics[i];
            e.hasMetrics = true;
        }
        e.sweepId = sweepId;
        e.latent = r.latents[i];
        e.image = int(i) < outcome.images.size() ? outcome.images[int(i)] : QImage();
        e.thumbnail = outcome.thumbnails.value(int(i));
        entries << e;
    }
    m_lastRun = {sweepId, entries, outcome, m_runningSource};
    int chosen = 0;
    if (m_sweepRunning) {
        m_compare->setResults(outcome.images, r.metrics);
        chosen = std::clamp(m_compare->selectedTile(), 0, int(entries.size()) - 1);
    }
    m_sweepRunning = false;
    m_history->push(entries[chosen]);
    QString message = tr("Done in %1 (%2 steps).").arg(formatDuration(r.seconds)).arg(r.stepsRun);
    if (!r.stopReason.empty()) {
        message = tr("Stopped early: %1. The last good result is kept.").arg(QString::fromStdString(r.stopReason));
        reportError(tr("The edit stopped early"), message);
    }
    statusBar()->showMessage(message, 8000);
    autosave();
    updateActions();
    Q_EMIT editFinished();
}

void MainWindow::onFailed(const QString& message)
{
    m_sweepRunning = false;
    if (!m_referenceMode)
        showCurrentEntry();
    updateActions();
    reportError(tr("The edit failed"), message);
    Q_EMIT editFailed(message);
}

void MainWindow::chooseSweepResult(int index)
{
    if (m_editor->isBusy()) {
        m_compare->selectTile(index); // the canvas follows this tile's previews
        return;
    }
    if (index < 0 || index >= m_lastRun.entries.size() || m_history->isEmpty())
        return;
    const HistoryEntry& chosen = m_lastRun.entries[index];
    if (m_history->current().sweepId == m_lastRun.sweepId)
        m_history->replaceCurrent(chosen);
    else
        m_history->push(chosen);
    m_compare->selectTile(index);
}

// Files -----------------------------------------------------------------------------------

SessionData MainWindow::sessionData() const
{
    SessionData d;
    d.settings = pae::EditRequest::defaults();
    m_strength->applyTo(d.settings);
    d.settings.basis = m_corpus->basis();
    d.settings.pcaComponents = m_corpus->pcaComponents();
    d.prompt = m_prompt->text();
    d.corpus = m_corpus->currentCorpus();
    d.lambdaList = m_compare->lambdaText();
    d.entries = m_history->entries();
    d.current = m_history->currentIndex();
    d.otherFaces = m_photoFaces->work();
    // The λ comparison on screen comes back with the session.
    if (m_compare->tileCount() > 0 && m_lastRun.entries.size() == m_compare->tileCount()) {
        d.comparison.source = m_lastRun.source;
        d.comparison.results = m_lastRun.entries;
        d.comparison.selected = std::clamp(m_compare->selectedTile(), 0, int(m_lastRun.entries.size()) - 1);
    }
    return d;
}

void MainWindow::saveSession(const QString& path, bool overwrite)
{
    Session::save(sessionData(), path, overwrite);
    m_doc->markSaved(path);
    m_source->addRecentFile(path);
    pae::log::info("saved session {}", path.toStdString());
}

bool MainWindow::openSession(const QString& path)
{
    if (!confirmReplace(tr("The session %1").arg(QFileInfo(path).fileName())))
        return false;
    FileDialogs::remember(FileDialogs::Kind::Session, path);
    return openSessionFile(path, false);
}

bool MainWindow::recoverPreviousWork()
{
    const QString path = Document::previousAutosavePath();
    if (!QFileInfo::exists(path)) {
        reportError(tr("Nothing to recover"), tr("%1: there is no earlier autosave.").arg(path));
        return false;
    }
    if (!confirmReplace(tr("The recovered work")))
        return false;
    return openSessionFile(path, true);
}

bool MainWindow::replaceModels(std::shared_ptr<pae::ModelSet> models)
{
    // New models start over from a face of their own: the work on screen goes.
    if (!confirmReplace(tr("Loading other models")))
        return false;
    setModels(std::move(models));
    return true;
}

bool MainWindow::openSessionFile(const QString& path, bool fromAutosave)
{
    if (!m_models) {
        reportError(tr("Cannot open the session"), tr("%1: load the models first.").arg(path));
        return false;
    }
    // Parsed off the GUI thread (a long session of 1024² faces is megabytes of base64);
    // like any face request, a newer one supersedes it.
    const quint64 token = ++m_sessionSerial;
    m_sessionParse = token;
    statusBar()->showMessage(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    updateActions();
    runInBackground(
        this, [path] { return Session::load(path); },
        [this, token, path, fromAutosave](const SessionData& data) {
            if (token != m_sessionParse)
                return;
            m_sessionParse = 0;
            if (!restoreSession(data, path, fromAutosave))
                Q_EMIT faceFailed(m_lastError);
        },
        [this, token](const QString& message) {
            if (token != m_sessionParse)
                return;
            m_sessionParse = 0;
            updateActions();
            reportError(tr("Cannot open the session"), message);
            Q_EMIT faceFailed(message);
        });
    return true;
}

bool MainWindow::restoreSession(const SessionData& data, const QString& origin, bool fromAutosave)
{
    if (!m_models) {
        reportError(tr("Cannot open the session"), tr("%1: load the models first.").arg(origin));
        return false;
    }
    FaceRequest request;
    request.kind = FaceRequest::Kind::Latents;
    const pae::ModelInfo info = m_models->info();
    // Every latent of the session (history, comparison, the photo's other faces) must fit
    // the loaded generator; `where` names the one that does not.
    const auto add = [&](const HistoryEntry& e, const QString& where) {
        if (e.latent.numLatents == info.numLatents && e.latent.styleDim == info.styleDim) {
            request.latents.push_back(e.latent);
            return true;
        }
        reportError(tr("Cannot open the session"),
                    tr("%1: %2latent “%3” is %4×%5, the loaded generator takes %6×%7; open the models this session "
                       "was made with")
                        .arg(origin, where, e.label)
                        .arg(e.latent.numLatents)
                        .arg(e.latent.styleDim)
                        .arg(info.numLatents)
                        .arg(info.styleDim));
        return false;
    };
    for (const HistoryEntry& e : data.entries)
        if (!add(e, QString()))
            return false;
    for (const HistoryEntry& e : data.comparison.results)
        if (!add(e, tr("the comparison's ")))
            return false;
    for (int k = 0; k < data.otherFaces.size(); ++k)
        for (const HistoryEntry& e : data.otherFaces[k].entries)
            if (!add(e, QStringLiteral("otherFaces[%1]: ").arg(k)))
                return false;
    PendingFace pending;
    pending.path = origin;
    pending.session = data;
    pending.fromAutosave = fromAutosave;
    pending.status = tr("Opening %1…").arg(QFileInfo(origin).fileName());
    requestFace(std::move(request), std::move(pending));
    return true;
}

void MainWindow::applySession(SessionData data, const QVector<QImage>& images, const QVector<QImage>& thumbnails,
                              const QString& origin, bool fromAutosave)
{
    QVector<HistoryEntry>& entries = data.entries;
    for (int i = 0; i < entries.size() && i < images.size(); ++i) {
        entries[i].image = images[i];
        entries[i].thumbnail = thumbnails.value(i);
    }
    QVector<HistoryEntry>& results = data.comparison.results;
    for (int i = 0; i < results.size() && entries.size() + i < images.size(); ++i) {
        results[i].image = images[int(entries.size()) + i];
        results[i].thumbnail = thumbnails.value(int(entries.size()) + i);
    }
    int next = int(entries.size() + results.size()); // the other faces' images follow, in order
    for (FaceWork& face : data.otherFaces)
        for (HistoryEntry& e : face.entries) {
            e.image = images.value(next);
            e.thumbnail = thumbnails.value(next);
            ++next;
        }
    // Sweep ids are per run of the studio: the comparison and the history entry chosen from
    // it get a fresh one, so a tile click replaces that entry as before the save.
    const quint64 sweepId = m_nextSweepId++;
    for (HistoryEntry& r : results) {
        r.sweepId = sweepId;
        for (HistoryEntry& e : entries)
            if (e.kind == HistoryEntry::Kind::Edit && e.latent.values == r.latent.values)
                e.sweepId = sweepId;
    }
    adoptFace(entries.first());
    m_history->restore(entries, data.current);
    QString photoProblem;
    if (entries.first().placement)
        setPlacement(reattachPhoto(*entries.first().placement, photoProblem));
    // The photo's other faces: the photo was read once (above); they sit in the same pixels.
    for (const FaceWork& face : data.otherFaces) {
        PhotoFaces::Face kept;
        kept.work = face;
        const PhotoPlacement& saved = *face.entries.first().placement;
        if (m_placement) {
            auto placement = std::make_shared<PhotoPlacement>(saved);
            placement->photo = m_placement->photo;
            placement->colorSpace = m_placement->colorSpace;
            kept.placement = std::move(placement);
        }
        m_photoFaces->keep(saved.face, std::move(kept));
    }
    if (!data.otherFaces.isEmpty()) {
        updateComposer(); // their edits are in the photo too
        if (!m_placement)
            photoProblem += tr(" Its %n other face(s) are kept with the session, to be edited with the photo.", nullptr,
                               int(data.otherFaces.size()));
    }
    m_canvas->setImage(m_history->current().image);
    m_strength->setFrom(data.settings);
    m_corpus->setBasis(data.settings.basis, data.settings.pcaComponents);
    if (!data.corpus.isEmpty() && !m_corpus->setCurrentCorpus(data.corpus) && QFileInfo::exists(data.corpus)) {
        m_corpus->addUserCorpus(data.corpus);
        m_corpus->setCurrentCorpus(data.corpus);
    }
    m_prompt->setText(data.prompt);
    if (!data.lambdaList.isEmpty())
        m_compare->setLambdaText(data.lambdaList);
    if (entries.first().kind == HistoryEntry::Kind::Seed)
        m_source->setSeed(entries.first().seed);
    if (!results.isEmpty()) {
        std::vector<float> lambdas;
        std::vector<pae::EditMetrics> metrics;
        QVector<QImage> tiles;
        for (const HistoryEntry& e : results) {
            lambdas.push_back(e.lambda);
            metrics.push_back(e.metrics);
            tiles << e.image;
        }
        m_lastRun.sweepId = sweepId;
        m_lastRun.entries = results;
        m_lastRun.source = data.comparison.source;
        m_lastRun.outcome.images = tiles;
        m_lastRun.outcome.result.lambdas = lambdas;
        m_lastRun.outcome.result.metrics = metrics;
        m_compare->startSweep(lambdas);
        m_compare->setResults(tiles, metrics);
        m_compare->selectTile(data.comparison.selected);
    }
    // An autosave is not the user's file: the restored work still needs saving somewhere.
    m_doc->startNew(fromAutosave ? QString() : origin, fromAutosave);
    if (!fromAutosave)
        m_source->addRecentFile(origin);
    updateActions();
    if (!photoProblem.isEmpty())
        statusBar()->showMessage(tr("Opened %1. %2").arg(QFileInfo(origin).fileName(), photoProblem), 15000);
    else
        statusBar()->showMessage(
            tr("Opened %1 (%2 history entries)").arg(QFileInfo(origin).fileName()).arg(entries.size()), 5000);
}

QString MainWindow::autosavePath() const { return Document::autosavePath(); }

bool MainWindow::autosave()
{
    if (m_history->isEmpty())
        return false;
    try {
        m_doc->autosave(sessionData());
        return true;
    } catch (const std::exception& ex) {
        pae::log::warn("autosave failed: {}", ex.what());
        statusBar()->showMessage(tr("Autosave failed: %1").arg(QString::fromUtf8(ex.what())), 10000);
        return false;
    }
}

void MainWindow::offerAutosaveRestore()
{
    const QString path = autosavePath();
    if (!QFileInfo::exists(path))
        return;
    const auto answer =
        QMessageBox::question(this, tr("Restore the last session?"),
                              tr("PAE Studio did not close normally last time. Restore the edits it autosaved (%1)?")
                                  .arg(QFileInfo(path).lastModified().toString(Qt::TextDate)),
                              QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer == QMessageBox::Yes) {
        openSessionFile(path, true);
        return;
    }
    // Not now is not never: it stays recoverable from File › Recover previous work.
    try {
        Document::keepAutosaveAsPrevious();
    } catch (const std::exception& ex) {
        reportError(tr("Cannot keep the autosave"), QString::fromUtf8(ex.what()));
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_doc->hasUnsavedWork() && isVisible()) {
        const auto answer = QMessageBox::question(
            this, tr("Save the session?"), tr("The edits since the last save will be lost. Save them first?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Save) {
            saveSessionDialog(false);
            if (m_doc->hasUnsavedWork()) {
                event->ignore();
                return;
            }
        }
    }
    m_editor->cancel();
    // An animation still being encoded is finished, not cut off.
    QThreadPool::globalInstance()->waitForDone();
    saveSettings();
    // A clean exit leaves nothing to restore (the previous generation stays recoverable).
    m_doc->removeAutosave();
    event->accept();
}

// Dialogs ---------------------------------------------------------------------------------

void MainWindow::openFileDialog()
{
    const QString path = FileDialogs::openFile(
        this, FileDialogs::Kind::Face, tr("Open latent or photo"),
        tr("Latents and photos (*.safetensors *.png *.jpg *.jpeg *.webp *.bmp);;Latents (*.safetensors);;"
           "Photos, reference only (*.png *.jpg *.jpeg *.webp *.bmp)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::saveSessionDialog(bool saveAs)
{
    QString path = m_doc->path();
    bool overwrite = !path.isEmpty(); // saving again over our own session file
    if (saveAs || path.isEmpty()) {
        path = FileDialogs::saveFile(this, FileDialogs::Kind::Session, tr("Save session"),
                                     QStringLiteral("edits.paesession"), tr("PAE Studio sessions (*.paesession)"));
        overwrite = true;
    }
    if (path.isEmpty())
        return;
    try {
        saveSession(path, overwrite);
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    } catch (const std::exception& ex) {
        reportError(tr("Cannot save the session"), QString::fromUtf8(ex.what()));
    }
}

void MainWindow::openSessionDialog()
{
    const QString path = FileDialogs::openFile(this, FileDialogs::Kind::Session, tr("Open session"),
                                               tr("PAE Studio sessions (*.paesession);;All files (*)"));
    if (!path.isEmpty())
        openSession(path);
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_MainWindow.cpp"
