#pragma once
// Sessions: the work on screen as a file and back. Writes the session (history, comparison,
// the photo's other faces and the panels' settings), reads one off the GUI thread, checks that
// every latent fits the loaded generator, and puts it all back on screen; the autosave, the
// offer to restore it after a crash, File › Recover previous work, and the Save / Discard /
// Cancel question before the work is replaced or the window closes.
#include "ui/session/Session.h"
#include "ui/window/Studio.h"

#include <QObject>

namespace pae {
struct ModelInfo;
}

namespace pae::ui {

class EditRuns;
class FaceController;
struct FaceResult;

class SessionController : public QObject {
    Q_OBJECT
public:
    SessionController(Studio studio, FaceController* faces, EditRuns* runs, QObject* parent = nullptr);

    SessionData sessionData() const;
    // Throws pae::Error on failure.
    void save(const QString& path, bool overwrite);
    // Reads the file off the GUI thread; its faces are rendered like any face.
    bool open(const QString& path);
    bool recoverPreviousWork();
    bool autosave();
    // A crash left an autosave: restore it, or keep it for File › Recover previous work.
    void offerAutosaveRestore();
    // True while a session file is being read.
    bool isReading() const { return m_reading != 0; }

    // Save / Discard / Cancel before the work on screen is replaced by `what`.
    bool confirmReplace(const QString& what);
    // Closing the window: false when the user cancelled (or the save did not happen).
    bool confirmClose();

    void saveDialog(bool saveAs);
    void openDialog();

Q_SIGNALS:
    // The session could not be opened (after the error was shown).
    void failed(const QString& message);

private:
    bool openFile(const QString& path, bool fromAutosave);
    bool restore(const SessionData& data, const QString& origin, bool fromAutosave);
    void apply(SessionData data, const FaceResult& rendered, const QString& origin, bool fromAutosave);
    void fail(const QString& message);
    // A session made with another generator than the loaded one (same shapes, other weights):
    // ask before its latents are drawn as other faces. False: not opened, nothing changed.
    bool confirmOtherGenerator(const SessionData& data, const QString& origin, const pae::ModelInfo& info);

    Studio m_studio;
    FaceController* m_faces = nullptr;
    EditRuns* m_runs = nullptr;
    quint64 m_reading = 0; // the session file being read off the GUI thread (0: none)
    quint64 m_serial = 0;
};

} // namespace pae::ui
