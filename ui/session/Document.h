#pragma once
// The user's work: the edit history, whether it is saved, where, and its autosave. The one
// place that decides whether replacing the work needs the user's word (Save / Discard /
// Cancel, as Quit asks), and the one place that writes the autosave.
//
// Autosave keeps two generations: `autosave.paesession` is the work on screen, and when a
// different piece of work (a new face, a reopened session) is autosaved for the first
// time, the file it replaces becomes `autosave-previous.paesession` instead of vanishing.
// So an autosave never replaces a backup of other work; File › Recover previous work opens
// it again.
#include "ui/session/Session.h"

#include <QObject>
#include <QString>

#include <functional>

class QWidget;

namespace pae::ui {

class EditHistory;

class Document : public QObject {
    Q_OBJECT
public:
    explicit Document(QObject* parent = nullptr);

    EditHistory* history() const { return m_history; }

    // Changed since it was last saved or opened.
    bool isDirty() const { return m_dirty; }
    // Dirty and holding something a person would miss: edits, or a photo's inverted face
    // (an inversion can take minutes). A face from a seed alone is made again in a moment.
    bool hasUnsavedWork() const;
    // The session file it was saved to or opened from; empty when it has none.
    QString path() const { return m_path; }

    // The history now holds other work (a new face, a session). `path` is its file (empty
    // for a new face or restored autosave); `dirty` whether it still needs saving.
    void startNew(const QString& path, bool dirty);
    void markSaved(const QString& path);
    void markDirty();

    // Asks before the work on screen is replaced by `what` ("Another face", "the session
    // x.paesession"…): nothing is asked when there is no unsaved work. Save runs `save`
    // (the save dialog); the answer is yes only when that left nothing unsaved. False means
    // the caller must leave everything as it is.
    using SaveFunction = std::function<void()>;
    bool confirmReplace(QWidget* parent, const QString& what, const SaveFunction& save);

    // Autosave --------------------------------------------------------------------------
    static QString autosavePath();
    static QString previousAutosavePath();
    // Writes `data` as the autosave (rotating the other work's autosave to the previous
    // generation first). Throws pae::Error on failure.
    void autosave(const SessionData& data);
    // A clean exit: nothing to restore next time. The previous generation stays.
    void removeAutosave();
    // The autosave left by a crash is not wanted now: it becomes the previous generation
    // (File › Recover previous work) instead of being deleted.
    static void keepAutosaveAsPrevious();

Q_SIGNALS:
    // Saved state or path changed: the title follows.
    void stateChanged();

private:
    EditHistory* m_history = nullptr;
    bool m_dirty = false;
    QString m_path;
    quint64 m_generation = 1;          // which piece of work is on screen
    quint64 m_autosavedGeneration = 0; // which piece of work the autosave file holds (0: another run's)
};

} // namespace pae::ui
