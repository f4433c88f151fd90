#pragma once

#include <functional>
// The studio's window: composition only. It lays out the widgets (StudioLayout), makes the
// controllers — faces (FaceController), edits (EditRuns), sessions (SessionController), the
// corpus analysis (CorpusAnalysis), exports (ExportController), live edits and presets — and
// the actions (StudioActions), owns the loaded models and the settings, and is where every
// user-facing error ends up (a message box, the log and the status bar).
#include "core/edit/model_set.h"
#include "ui/session/Session.h"
#include "ui/window/Studio.h"

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

class CorpusAnalysis;
class EditRuns;
class ExportController;
class FaceController;
class LiveEditController;
class ModelLoader;
class SessionController;
class StudioActions;

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
    const PhotoFaces& otherFacesInPhoto() const;
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
    const PhotoPlacement* photoPlacement() const;

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
    bool isReferenceMode() const;
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
    ImageCanvas* canvas() const { return m_w.canvas; }
    PromptBox* promptBox() const { return m_w.prompt; }
    StrengthPanel* strengthPanel() const { return m_w.strength; }
    CorpusPicker* corpusPicker() const { return m_w.corpus; }
    ComparePanel* comparePanel() const { return m_w.compare; }
    FaceSourcePanel* faceSourcePanel() const { return m_w.source; }
    EditHistory* history() const { return m_studio.history; }
    LogPanel* logPanel() const { return m_w.log; }
    LiveEditPanel* liveEditPanel() const { return m_w.live; }
    LiveEditController* liveEdit() const { return m_liveEdit; }
    QString lastError() const { return m_lastError; }
    QProgressBar* progressBar() const { return m_w.progress; }

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
    // The Strength panel's defaults: the models' with the chosen corpus's header (its rows,
    // space, L2 weight); values the user has not changed follow them.
    void applyCorpusDefaults();
    void restoreSettings();
    void saveSettings() const;
    void updateActions();
    void updateTitle();
    void reportError(const QString& title, const QString& message);
    void connectControllers();
    void openFileDialog();
    void showModelsDialog();

    Options m_options;
    std::shared_ptr<pae::ModelSet> m_models;
    Studio m_studio;
    StudioWidgets& m_w = m_studio.w;
    ModelLoader* m_loader = nullptr;
    FaceController* m_faces = nullptr;
    EditRuns* m_runs = nullptr;
    SessionController* m_sessions = nullptr;
    CorpusAnalysis* m_analysis = nullptr;
    ExportController* m_exports = nullptr;
    LiveEditController* m_liveEdit = nullptr; // live strength and presets
    StudioActions* m_actions = nullptr;
    QTimer* m_autosaveTimer = nullptr;
    QString m_lastError;
    bool m_seedFromModels = false; // no seed saved yet: the first face is the models' (ModelInfo::firstSeed)
};

} // namespace pae::ui
