#pragma once
// The chain of faces: the source, then one entry per applied edit. Undo/redo move the
// current entry through a QUndoStack; a new edit after an undo drops the undone ones,
// the way every editor behaves. The next edit starts from current().latent.
#include "ui/session/HistoryEntry.h"

#include <QObject>
#include <QVector>

class QUndoStack;

namespace pae::ui {

class EditHistory : public QObject {
    Q_OBJECT
public:
    explicit EditHistory(QObject* parent = nullptr);

    // A new source: the history and the undo stack start over.
    void reset(const HistoryEntry& source);
    void clear();
    void push(const HistoryEntry& entry);
    // A whole saved chain at once (entries[0] is the source), with one undo step per edit
    // and `current` selected. Announces the change once, not once per entry, so a long
    // session opens without rebuilding the history panel for every step.
    void restore(const QVector<HistoryEntry>& entries, int current);
    // Swaps the current entry for another result of the same edit (a different sweep tile)
    // without adding an undo step.
    void replaceCurrent(const HistoryEntry& entry);

    bool isEmpty() const { return m_entries.isEmpty(); }
    int count() const { return int(m_entries.size()); }
    int currentIndex() const { return m_current; }
    const HistoryEntry& current() const { return m_entries.at(m_current); }
    const HistoryEntry& at(int index) const { return m_entries.at(index); }
    const QVector<HistoryEntry>& entries() const { return m_entries; }
    // Jumps with undo/redo steps, so the undo stack stays the single source of truth.
    void setCurrentIndex(int index);
    QUndoStack* undoStack() const { return m_stack; }

Q_SIGNALS:
    void entriesChanged();
    void currentChanged(int index);

private:
    friend class EditHistoryCommand;
    void activate(int index);

    QVector<HistoryEntry> m_entries;
    int m_current = -1;
    bool m_quiet = false; // inside restore(): no signal per step
    QUndoStack* m_stack = nullptr;
};

} // namespace pae::ui
