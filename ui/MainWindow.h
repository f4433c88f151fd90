#pragma once

#include <functional>
// The studio: canvas in the middle, the face source and history on the left, corpus and
// strength on the right, λ comparison and log below. Owns the loaded models, the edit
// chain and the edit thread; every user-facing error ends up in a message box and the log.
#include "core/edit/model_set.h"
#include "ui/jobs/EditWorker.h"
#include "ui/jobs/FaceRenderer.h"
#include "ui/session/LastRun.h"
#include "ui/session/Session.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>
#include <optional>
#include <vector>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;

namespace pae::ui {

class ComparePanel;
class CorpusPicker;
class Document;
class EditController;
class EditHistory;
class ExportController;
class FaceSourcePanel;
class HistoryPanel;
class ImageCanvas;
class LiveEditController;
class LiveEditPanel;
class LogPanel;
class ModelLoader;
class PromptAnalyzer;
class PromptBox;
class StrengthPanel;

struct PhotoPlacement;
class PhotoFaces;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    struct Options {
        bool loadModels = true; // load models on start: `modelPaths`, else those saved in the settings
        std::optional<pae::ModelPaths> modelPaths;
        bool offerRestore = true; // ask to restore an autosave left by a crash
        int autosaveSeconds = 60; // 0: only after each edit
    };
    explicit MainWindow(QWidget* parent = nullptr);
    explicit MainWindow(const Options& options, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Shows a photo and inverts it (GAN inversion, off the GUI thread) into the latent whose
    // image comes closest; that face then starts a new history. Returns false and says why
    // when the file cannot be read; an inversion that fails is reported when it does.
    // `face`: which face of the photo (0 the largest); any but 0 aligns the photo.
    bool openImage(const QString& path, int face = 0);
    // File › Another face in this photo…: lists the faces of the current face's photo and
    // edits the one picked (editFaceInPhoto).
    void chooseFaceInPhoto();
    // Face `face` of the current face's photo becomes the one edited: the current face and
    // its history are kept (PhotoFaces); a face edited before comes back with its history at
    // once, another is aligned and inverted first (faceShown follows). The canvas's face
    // marks do the same on a click. False, saying why, while an edit or another face is on
    // its way, or when there is no such face.
    bool editFaceInPhoto(int face);
    // The other faces of the current face's photo kept with their histories.
    const PhotoFaces& otherFacesInPhoto() const { return *m_photoFaces; }
    // A file from the command line, a drop or a dialog: a session, a latent or a photo by its
    // suffix. A missing file or a folder is an error naming it.
    bool openFile(const QString& path);
    // True while a photo is being inverted.
    bool isInverting() const;
    // Settings › Align faces in photos: photos opened from now on are aligned (FFHQ crop)
    // before inversion. Loading models sets it: on for real models, off for the built-in ones.
    bool alignsPhotos() const;
    void setAlignPhotos(bool on);
    // Esc / Cancel: stops the running edit, or else the running photo inversion.
    void cancelWork();
    // What the canvas shows.
    QImage currentImage() const;
    // View › Show in photo: a face taken from a photo (aligned) is shown, and exported, pasted
    // back into the whole photo; off: the face as the generator draws it. On by default.
    bool showsInPhoto() const;
    void setShowInPhoto(bool on);
    // Where the current face sits in its photo; null for faces not taken from a photo.
    const PhotoPlacement* photoPlacement() const { return m_placement.get(); }

    // Models ------------------------------------------------------------------------------
    void loadModels(const pae::ModelPaths& paths);
    void setModels(std::shared_ptr<pae::ModelSet> models);
    std::shared_ptr<pae::ModelSet> models() const { return m_models; }

    // Faces: made off the GUI thread. These return false (after showing the error) when
    // nothing could be asked for; otherwise faceShown or faceFailed follows, unless a newer
    // face request, a photo or new models came first. Every action that replaces the work
    // on screen (faces, photos, sessions, models) asks Save / Discard / Cancel first when
    // there is unsaved work, and returns false on Cancel with nothing changed.
    bool showSeed(quint64 seed);
    bool openLatent(const QString& path);
    bool isLoadingFace() const;

    // Edits (each returns false after showing the error) ---------------------------------
    bool runEdit();
    bool runSweep(const std::vector<float>& lambdas);
    // "Refine on this face": the one ticked preset, applied to the face on screen, then a
    // short optimization of the preset's own prompt from there (pae::kDefaultRefineSteps).
    bool refinePreset();
    bool isEditing() const;
    bool isReferenceMode() const { return m_referenceMode; }
    void chooseSweepResult(int index);

    // File › Export … (image, grid, latent, animation, λ interpolation) and the export size.
    ExportController* exports() const { return m_exports; }

    SessionData sessionData() const;
    void saveSession(const QString& path, bool overwrite);
    // Reads the file at once; its faces are rendered like any face (faceShown follows).
    bool openSession(const QString& path);
    // File › Recover previous work: the autosave of the work that was replaced last.
    bool recoverPreviousWork();
    // Settings › Models… once the new models are loaded: asks before the work on screen goes.
    bool replaceModels(std::shared_ptr<pae::ModelSet> models);
    QString autosavePath() const;
    bool autosave();

    // For tests and scripting
    ImageCanvas* canvas() const { return m_canvas; }
    PromptBox* promptBox() const { return m_prompt; }
    StrengthPanel* strengthPanel() const { return m_strength; }
    CorpusPicker* corpusPicker() const { return m_corpus; }
    ComparePanel* comparePanel() const { return m_compare; }
    FaceSourcePanel* faceSourcePanel() const { return m_source; }
    EditHistory* history() const { return m_history; }
    LogPanel* logPanel() const { return m_log; }
    LiveEditPanel* liveEditPanel() const { return m_live; }
    LiveEditController* liveEdit() const { return m_liveEdit; }
    QString lastError() const { return m_lastError; }
    QProgressBar* progressBar() const { return m_progress; }

Q_SIGNALS:
    void modelsReady();
    void modelsFailed(const QString& message);
    // A requested face (seed, latent file, session) is on the canvas, or could not be made.
    void faceShown();
    void faceFailed(const QString& message);
    void editStarted();
    void previewShown(int step);
    void editFinished();
    void editFailed(const QString& message);
    void errorShown(const QString& message);
    // The engine's analysis of the prompt in the chosen corpus arrived (or failed).
    void corpusAnalyzed();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildLayout();
    void buildExports();
    void restoreSettings();
    void saveSettings() const;
    void updateActions();
    void reportError(const QString& title, const QString& message);
    void showCurrentEntry();
    QString analysisKey() const;
    void scheduleAnalysis();
    void updateTokenCount();
    void analyze();
    void onAnalyzed(const pae::PromptAnalysis& analysis);
    bool startJob(const std::vector<float>& lambdas, bool sweep);
    bool canStartEdit();
    void launchEdit(pae::EditRequest request, bool sweep, const QString& corpus, const QString& note);
    void onProgress(const pae::EditProgress& progress);
    void onPreview(int step, const QVector<QImage>& frames);
    void onFinished(const EditOutcome& outcome);
    void onFailed(const QString& message);
    void offerAutosaveRestore();
    bool confirmReplace(const QString& what);
    bool openSessionFile(const QString& path, bool fromAutosave);
    bool restoreSession(const SessionData& data, const QString& origin, bool fromAutosave);
    // The face that was asked for last; nothing changes until it arrives.
    struct PendingFace {
        quint64 id = 0;
        FaceRequest::Kind kind = FaceRequest::Kind::Seed;
        quint64 seed = 0;
        QString path;        // latent file or session file
        SessionData session; // Kind::Latents: everything but the images
        bool fromAutosave = false;
        QString status;       // shown in the status bar until the face arrives
        bool aligned = false; // Kind::Photo: the photo was aligned before inversion
        bool cartoon = false; // Kind::Photo: a photo inverted into the built-in cartoon world
        // Kind::Photo: another face of the current face's photo; the current face is kept.
        std::shared_ptr<const PhotoPlacement> switchFrom;
    };
    void requestFace(FaceRequest request, PendingFace pending);
    void onFaceRendered(quint64 id, const FaceResult& result);
    void onFaceFailed(quint64 id, const QString& message);
    // A new source face: the history, the comparison and the last run start over. New work
    // (a seed, a file, a session) also lets go of the photo's other faces; `switchingFace`
    // (another face of the same photo) keeps them and the document's file.
    void adoptFace(const HistoryEntry& source, bool switchingFace = false);
    // Shows `photo` and asks for its face `face` to be inverted (aligned when `align`).
    void requestPhotoFace(const QString& path, const QImage& photo, int face, bool align, bool cartoon,
                          std::shared_ptr<const PhotoPlacement> switchFrom);
    // The current face and its history go to the photo's other faces.
    void keepCurrentFace();
    // The canvas's boxes around the photo's faces (View › Mark faces in the photo).
    void updateMarks();
    // The current face's photo (null: none); the canvas composes through it when the photo
    // view is on and no photo is waiting to be inverted.
    void setPlacement(std::shared_ptr<const PhotoPlacement> placement);
    void updateComposer();
    void applySession(SessionData data, const QVector<QImage>& images, const QVector<QImage>& thumbnails,
                      const QString& origin, bool fromAutosave);
    void updateTitle();
    // A new face replaces the history: the running job's result no longer applies.
    void startNewHistory();
    QString corpusRootFor(const pae::ModelInfo& info) const;
    void saveSessionDialog(bool saveAs);
    void openSessionDialog();
    void openFileDialog();
    void showModelsDialog();
    void connectLiveEdit();

    Options m_options;
    std::shared_ptr<pae::ModelSet> m_models;
    ModelLoader* m_loader = nullptr;
    PromptAnalyzer* m_analyzer = nullptr;
    EditController* m_editor = nullptr;
    FaceRenderer* m_faces = nullptr;
    PendingFace m_pendingFace;
    ExportController* m_exports = nullptr;
    Document* m_doc = nullptr;
    EditHistory* m_history = nullptr; // the document's

    ImageCanvas* m_canvas = nullptr;
    PromptBox* m_prompt = nullptr;
    QLabel* m_tokens = nullptr; // the prompt's tokens against the text encoder's limit
    QPushButton* m_runButton = nullptr;
    QPushButton* m_cancelButton = nullptr;
    FaceSourcePanel* m_source = nullptr;
    HistoryPanel* m_historyPanel = nullptr;
    CorpusPicker* m_corpus = nullptr;
    StrengthPanel* m_strength = nullptr;
    ComparePanel* m_compare = nullptr;
    LogPanel* m_log = nullptr;
    LiveEditPanel* m_live = nullptr;
    LiveEditController* m_liveEdit = nullptr; // live strength and presets
    QLabel* m_statusZoom = nullptr;
    QLabel* m_statusEta = nullptr;
    QProgressBar* m_progress = nullptr;
    QTimer* m_analysisTimer = nullptr;
    QTimer* m_autosaveTimer = nullptr;

    QAction* m_runAction = nullptr;
    QAction* m_sweepAction = nullptr;
    QAction* m_cancelAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_recoverAction = nullptr; // File › Recover previous work
    QAction* m_redoAction = nullptr;
    QAction* m_splitAction = nullptr;
    QAction* m_alignAction = nullptr;                  // Settings › Align faces in photos
    QAction* m_photoViewAction = nullptr;              // View › Show in photo
    QAction* m_otherFaceAction = nullptr;              // File › Another face in this photo…
    QAction* m_markFacesAction = nullptr;              // View › Mark faces in the photo
    std::unique_ptr<PhotoFaces> m_photoFaces;          // the other faces of the current face's photo
    std::shared_ptr<const PhotoPlacement> m_placement; // the current face's place in its photo
    QList<QAction*> m_needModels;                      // enabled once models are loaded
    QList<QAction*> m_needResult;                      // enabled when there is a face to export
    QList<QAction*> m_dockMenuActions;
    QAction* m_exportGridAction = nullptr;
    quint64 m_sessionParse = 0; // the session file being read off the GUI thread (0: none)
    quint64 m_sessionSerial = 0;
    QAction* m_exportAnimAction = nullptr;
    QAction* m_exportInterpolationAction = nullptr;

    // A photo is on the canvas that is not a face of the history: while it is being
    // inverted, or when its inversion failed and there is no face to go back to.
    bool m_referenceMode = false;
    bool m_sweepRunning = false;
    QString m_lastError;
    LastRun m_lastRun; // the last finished run, for tile clicks and the exports
    pae::Latent m_runningSource;
    quint64 m_nextSweepId = 1;
    // The request of the job in flight (for labelling its history entries).
    pae::EditRequest m_runningRequest;
    QString m_runningCorpus;
    QString m_runningLabelSuffix;  // ", refined" for a preset refined on the face
    bool m_seedFromModels = false; // no seed saved yet: the first face is the models' (ModelInfo::firstSeed)
    quint64 m_historyGeneration = 0;
    quint64 m_runningGeneration = 0;
    bool m_analysisDeferred = false;
    QString m_analyzedKey; // the question of the analysis on screen (or on its way)
};

} // namespace pae::ui
