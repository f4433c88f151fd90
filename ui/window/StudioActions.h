#pragma once
// Every command of the studio as a QAction — its text, shortcut, tooltip and what it runs —
// placed in the menus and the toolbar, and enabled by the state of the work (models loaded,
// a face on screen, an edit or inversion running). One place for the shortcuts, so that no
// key is given twice.
#include "ui/window/Studio.h"

#include <QObject>

#include <functional>

class QAction;
class QMenu;

namespace pae::ui {

class EditRuns;
class ExportController;
class FaceController;
class SessionController;
struct PhotoPlacement;

class StudioActions : public QObject {
    Q_OBJECT
public:
    struct Targets {
        FaceController* faces = nullptr;
        SessionController* sessions = nullptr;
        EditRuns* runs = nullptr;
        ExportController* exports = nullptr;
        std::function<void()> openFileDialog; // File › Open latent or photo…
        std::function<void()> cancelWork;     // Esc: the edit, else the inversion
        std::function<void()> modelsDialog;   // Settings › Models…
    };
    // What the actions follow.
    struct State {
        bool haveModels = false;
        bool haveFace = false;
        bool editing = false;
        bool faceOnItsWay = false; // a face (seed, file, photo, session) is being made
        bool inverting = false;    // a photo is being inverted
        bool referenceMode = false;
        bool canRecover = false; // File › Recover previous work has a file
        bool hasTiles = false;
        bool hasFrames = false;  // the last run's preview frames (animation)
        bool hasLastRun = false; // the last run's results (interpolation)
        bool interpolating = false;
    };

    // Makes the actions, the menus and the toolbar of `studio.window` and connects them.
    StudioActions(const Studio& studio, const Targets& targets);

    void update(const State& state);
    // The photo actions follow the current face's photo (null: none).
    void updatePhoto(const PhotoPlacement* placement);

private:
    QAction* make(const QString& text, const QKeySequence& key, const QString& tip, std::function<void(bool)> slot);

    Studio m_studio;
    Targets m_targets;
    QAction* m_run = nullptr;
    QAction* m_sweep = nullptr;
    QAction* m_cancel = nullptr;
    QAction* m_recover = nullptr;
    QAction* m_photoView = nullptr;
    QAction* m_otherFace = nullptr;
    QAction* m_markFaces = nullptr;
    QAction* m_align = nullptr;
    QAction* m_exportGrid = nullptr;
    QAction* m_exportAnim = nullptr;
    QAction* m_exportInterpolation = nullptr;
    QList<QAction*> m_needModels; // enabled once models are loaded
    QList<QAction*> m_needFace;   // enabled when there is a face to save or export
};

} // namespace pae::ui
