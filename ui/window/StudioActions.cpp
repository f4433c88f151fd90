#include "ui/window/StudioActions.h"

#include "ui/canvas/ImageCanvas.h"
#include "ui/export/ExportController.h"
#include "ui/jobs/EditRuns.h"
#include "ui/panels/ComparePanel.h"
#include "ui/panels/FaceSourcePanel.h"
#include "ui/panels/PromptBox.h"
#include "ui/photo/PhotoPlacement.h"
#include "ui/session/EditHistory.h"
#include "ui/session/FaceController.h"
#include "ui/session/SessionController.h"

#include "core/face/alignment.h"

#include <QAction>
#include <QApplication>
#include <QFileInfo>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QToolBar>
#include <QUndoStack>

namespace pae::ui {

QAction* StudioActions::make(const QString& text, const QKeySequence& key, const QString& tip,
                             std::function<void(bool)> slot)
{
    auto* a = new QAction(text, m_studio.window);
    if (!key.isEmpty())
        a->setShortcut(key);
    a->setToolTip(key.isEmpty() ? tip : tr("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
    a->setStatusTip(tip);
    connect(a, &QAction::triggered, this, std::move(slot));
    return a;
}

StudioActions::StudioActions(const Studio& studio, const Targets& targets)
    : QObject(studio.window), m_studio(studio), m_targets(targets)
{
    QMainWindow* window = studio.window;
    const StudioWidgets& w = studio.w;
    FaceController* faces = targets.faces;
    SessionController* sessions = targets.sessions;
    ExportController* exports = targets.exports;
    QStyle* st = window->style();

    auto* openFile = make(tr("&Open latent or photo…"), QKeySequence::Open,
                          tr("Open a latent (.safetensors) or a photo"), [this](bool) { m_targets.openFileDialog(); });
    openFile->setIcon(st->standardIcon(QStyle::SP_DialogOpenButton));
    auto* anotherFace = make(tr("&Another face"), QKeySequence(tr("Ctrl+N")), tr("Start over from a random face"),
                             [source = w.source](bool) { source->chooseRandomSeed(); });
    anotherFace->setIcon(st->standardIcon(QStyle::SP_BrowserReload));
    auto* openSession = make(tr("Open &session…"), QKeySequence(tr("Ctrl+Shift+O")), tr("Open a saved session"),
                             [sessions](bool) { sessions->openDialog(); });
    m_recover = make(tr("&Recover previous work…"), QKeySequence(),
                     tr("Open the autosave of the work that was replaced or not restored last time"),
                     [sessions](bool) { sessions->recoverPreviousWork(); });
    auto* saveSession = make(tr("&Save session"), QKeySequence::Save, tr("Save the edit history and settings"),
                             [sessions](bool) { sessions->saveDialog(false); });
    saveSession->setIcon(st->standardIcon(QStyle::SP_DialogSaveButton));
    auto* saveSessionAs =
        make(tr("Save session &as…"), QKeySequence(tr("Ctrl+Shift+S")), tr("Save the session under a new name"),
             [sessions](bool) { sessions->saveDialog(true); });
    auto* exportImage =
        make(tr("&Export image…"), QKeySequence(tr("Ctrl+E")), tr("Save the current image (PNG, JPEG, WebP)"),
             [exports](bool) { exports->exportImageDialog(); });
    exportImage->setIcon(st->standardIcon(QStyle::SP_DriveFDIcon));
    m_exportGrid =
        make(tr("Export comparison &grid…"), QKeySequence(tr("Ctrl+Shift+G")),
             tr("Save the λ comparison tiles as one image"), [exports](bool) { exports->exportGridDialog(); });
    auto* exportLatent = make(tr("Export &latent…"), QKeySequence(tr("Ctrl+Shift+E")),
                              tr("Save the current face's W+ latent as .safetensors"),
                              [exports](bool) { exports->exportLatentDialog(); });
    m_exportAnim = make(tr("Export &animation…"), QKeySequence(),
                        tr("Save the last edit's preview frames as an animated GIF or a PNG sequence"),
                        [exports](bool) { exports->exportAnimationDialog(); });
    m_exportInterpolation =
        make(tr("Export λ &interpolation…"), QKeySequence(),
             tr("Save an animation from the source face (λ 0) through each λ of the last edit, with in-between "
                "faces interpolated in W+ (GIF or PNG sequence)"),
             [exports](bool) { exports->exportInterpolationDialog(); });
    auto* quit = make(tr("&Quit"), QKeySequence::Quit, tr("Quit PAE Studio"), [window](bool) { window->close(); });

    QAction* undo = studio.history->undoStack()->createUndoAction(window, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setIcon(st->standardIcon(QStyle::SP_ArrowBack));
    undo->setToolTip(tr("Go back to the previous face (Ctrl+Z)"));
    QAction* redo = studio.history->undoStack()->createRedoAction(window, tr("&Redo"));
    // Not QKeySequence::Redo: on most platforms it is Ctrl+Shift+Z again, and two entries
    // for one key make Qt call the shortcut ambiguous and run neither.
    redo->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
    redo->setIcon(st->standardIcon(QStyle::SP_ArrowForward));
    redo->setToolTip(tr("Bring back the edit you undid (Ctrl+Shift+Z or Ctrl+Y)"));

    m_run = make(tr("&Run edit"), QKeySequence(tr("Ctrl+Return")), tr("Run the prompt on the current face"),
                 [runs = targets.runs](bool) { runs->runEdit(); });
    m_run->setIcon(st->standardIcon(QStyle::SP_MediaPlay));
    m_sweep = make(tr("Run λ &sweep"), QKeySequence(tr("Ctrl+Shift+Return")),
                   tr("Run the prompt for every λ of the comparison list"),
                   [compare = w.compare](bool) { compare->requestSweep(); });
    m_cancel = make(tr("&Cancel"), QKeySequence(Qt::Key_Escape), tr("Stop the running edit or photo inversion"),
                    [this](bool) { m_targets.cancelWork(); });
    m_cancel->setIcon(st->standardIcon(QStyle::SP_MediaStop));
    auto* focusPrompt =
        make(tr("Focus &prompt"), QKeySequence(tr("Ctrl+L")), tr("Type a new prompt"), [prompt = w.prompt](bool) {
            prompt->setFocus();
            prompt->selectAll();
        });

    ImageCanvas* canvas = w.canvas;
    auto* fit = make(tr("&Fit to window"), QKeySequence(tr("Ctrl+0")), tr("Show the whole image"),
                     [canvas](bool) { canvas->fitToWindow(); });
    auto* actual = make(tr("&Actual size"), QKeySequence(tr("Ctrl+1")), tr("One image pixel per screen pixel"),
                        [canvas](bool) { canvas->actualSize(); });
    auto* zoomIn = make(tr("Zoom &in"), QKeySequence::ZoomIn, tr("Zoom in"), [canvas](bool) { canvas->zoomIn(); });
    auto* zoomOut = make(tr("Zoom &out"), QKeySequence::ZoomOut, tr("Zoom out"), [canvas](bool) { canvas->zoomOut(); });
    auto* split = make(tr("&Before/after split"), QKeySequence(tr("Ctrl+B")),
                       tr("Compare with the original: drag the handle; hold Space on the canvas to flip"),
                       [canvas](bool on) { canvas->setSplitEnabled(on); });
    split->setCheckable(true);
    connect(canvas, &ImageCanvas::splitEnabledChanged, split, &QAction::setChecked);
    m_photoView = make(tr("Show in &photo"), QKeySequence(tr("Ctrl+Shift+P")),
                       tr("A face taken from a photo: show and export it pasted back into the whole photo "
                          "(off: the face as the generator draws it)"),
                       [faces](bool on) { faces->setShowInPhoto(on); });
    m_photoView->setCheckable(true);
    m_otherFace = make(tr("Another face in this p&hoto…"), QKeySequence(),
                       tr("Edit another face of the photo the current face came from; each face keeps "
                          "its own history and all are pasted back into the photo"),
                       [faces](bool) { faces->chooseFaceInPhoto(); });
    m_markFaces = make(tr("&Mark faces in the photo"), QKeySequence(),
                       tr("In the photo view, frame every face found in the photo; click one to edit it"),
                       [faces](bool on) { faces->setMarkFaces(on); });
    m_markFaces->setCheckable(true);
    auto* models = make(tr("&Models…"), QKeySequence(), tr("Choose the CLIP and StyleGAN2 models, device and threads"),
                        [this](bool) { m_targets.modelsDialog(); });
    models->setIcon(st->standardIcon(QStyle::SP_ComputerIcon));
    // On for real models (their faces are FFHQ-aligned), off for the built-in world, whose
    // drawn faces a photo face detector does not find; set again whenever models load.
    m_align = make(tr("&Align faces in photos"), QKeySequence(),
                   tr("Before inverting a photo, find its face and crop it the way FFHQ's faces were cut "
                      "(eyes level, face centred)"),
                   [faces](bool on) { faces->setAlignPhotos(on); });
    m_align->setCheckable(true);
    if (!pae::FaceAligner::available()) {
        m_align->setEnabled(false);
        m_align->setToolTip(tr("This build of PAE Studio has no dlib: photos are not aligned"));
    }
    auto* about = make(tr("&About PAE Studio"), QKeySequence(), tr("About PAE Studio"), [window](bool) {
        QMessageBox::about(window, tr("About PAE Studio"),
                           tr("<b>PAE Studio %1</b><p>Text-guided face editing with CLIP-PAE "
                              "(Zhou, Zhong, Öztireli, SIGGRAPH 2023).</p>")
                               .arg(QApplication::applicationVersion()));
    });

    QMenu* file = window->menuBar()->addMenu(tr("&File"));
    file->addActions({anotherFace, openFile, m_otherFace});
    file->addSeparator();
    file->addActions({openSession, m_recover, saveSession, saveSessionAs});
    connect(file, &QMenu::aboutToShow, this, [this] { m_studio.updateActions(); });
    file->addSeparator();
    file->addActions({exportImage, m_exportGrid, exportLatent, m_exportAnim, m_exportInterpolation});
    exports->addSizeMenu(file);
    file->addSeparator();
    file->addAction(quit);
    QMenu* edit = window->menuBar()->addMenu(tr("&Edit"));
    edit->addActions({undo, redo});
    edit->addSeparator();
    edit->addActions({m_run, m_sweep, m_cancel, focusPrompt});
    QMenu* view = window->menuBar()->addMenu(tr("&View"));
    view->addActions({fit, actual, zoomIn, zoomOut, split, m_photoView, m_markFaces});
    view->addSeparator();
    view->addActions(w.dockActions);
    QMenu* settings = window->menuBar()->addMenu(tr("&Settings"));
    settings->addActions({models, m_align});
    QMenu* help = window->menuBar()->addMenu(tr("&Help"));
    help->addAction(about);

    // Short toolbar labels; the menus keep the full names.
    openFile->setIconText(tr("Open…"));
    anotherFace->setIconText(tr("Another face"));
    saveSession->setIconText(tr("Save"));
    exportImage->setIconText(tr("Export…"));
    m_run->setIconText(tr("Run"));
    m_cancel->setIconText(tr("Cancel"));
    fit->setIconText(tr("Fit"));
    actual->setIconText(tr("100%"));
    split->setIconText(tr("Split"));
    m_photoView->setIconText(tr("In photo"));
    models->setIconText(tr("Models…"));
    undo->setIconText(tr("Undo"));
    redo->setIconText(tr("Redo"));
    QToolBar* bar = window->addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addActions({anotherFace, openFile, saveSession, exportImage});
    bar->addSeparator();
    bar->addActions({undo, redo});
    bar->addSeparator();
    bar->addActions({m_run, m_cancel});
    bar->addSeparator();
    bar->addActions({fit, actual, split, m_photoView});
    bar->addSeparator();
    bar->addAction(models);
    // The canvas catches Space itself; these only need to work while the window has focus.
    for (QAction* a : {fit, actual, zoomIn, zoomOut, focusPrompt})
        window->addAction(a);

    m_needModels = {anotherFace, openFile, openSession, m_recover, m_run, m_sweep};
    m_needFace = {exportImage, exportLatent, saveSession, saveSessionAs};
    updatePhoto(nullptr);
}

void StudioActions::update(const State& s)
{
    const StudioWidgets& w = m_studio.w;
    for (QAction* a : m_needModels)
        a->setEnabled(s.haveModels);
    m_recover->setEnabled(s.haveModels && s.canRecover);
    for (QAction* a : m_needFace)
        a->setEnabled(s.haveFace);
    // While a job runs, Run stays off so a second Enter does not silently restart it.
    // Nor while a new face is on its way: the edit would belong to the face it replaces.
    const bool canRun = s.haveModels && s.haveFace && !s.referenceMode && !s.editing && !s.faceOnItsWay;
    m_run->setEnabled(canRun);
    m_sweep->setEnabled(canRun);
    w.runButton->setEnabled(canRun);
    w.compare->setRunEnabled(canRun);
    m_cancel->setEnabled(s.editing || s.inverting);
    w.cancelButton->setEnabled(s.editing || s.inverting);
    m_exportGrid->setEnabled(s.hasTiles);
    m_exportAnim->setEnabled(s.hasFrames);
    m_exportInterpolation->setEnabled(s.hasLastRun && !s.interpolating);
    w.runButton->setToolTip(
        s.inverting ? tr("The photo is being inverted into the generator's latent space; edits start from it "
                         "once it is done.")
        : s.referenceMode
            ? tr("The photo could not be inverted (see the log). Pick a seed, open a latent or another photo.")
            : tr("Edit the current face towards the prompt with the strength λ (Ctrl+Return)."));
    w.progress->setVisible(s.editing);
    w.statusEta->setVisible(s.editing);
    FaceController* faces = m_targets.faces;
    m_align->setChecked(faces->alignsPhotos());
    m_photoView->setChecked(faces->showsInPhoto());
    m_markFaces->setChecked(faces->marksFaces());
}

void StudioActions::updatePhoto(const PhotoPlacement* p)
{
    const bool several = p && p->facesFound > 1;
    m_photoView->setEnabled(p != nullptr);
    m_otherFace->setEnabled(several);
    m_markFaces->setEnabled(several);
    m_otherFace->setToolTip(several ? tr("%1 has %2 faces; edit another one (each keeps its own history)")
                                          .arg(QFileInfo(p->path).fileName())
                                          .arg(p->facesFound)
                                    : tr("Only for a photo with several faces, opened with alignment on"));
    m_photoView->setToolTip(p ? tr("Show and export the face pasted back into %1 (%2×%3)")
                                    .arg(QFileInfo(p->path).fileName())
                                    .arg(p->photo.width)
                                    .arg(p->photo.height)
                              : tr("Only for a face taken from a photo with Settings › Align faces in photos on"));
}

} // namespace pae::ui

#include "moc_StudioActions.cpp"
