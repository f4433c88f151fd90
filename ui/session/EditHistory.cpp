#include "ui/session/EditHistory.h"

#include <algorithm>

#include <QUndoCommand>
#include <QUndoStack>

namespace pae::ui {

// Entry i (i ≥ 1) is undo command i−1: the stack index always equals the current entry.
class EditHistoryCommand : public QUndoCommand {
public:
    EditHistoryCommand(EditHistory* history, int index, const QString& text)
        : QUndoCommand(text), m_history(history), m_index(index)
    {}
    void redo() override { m_history->activate(m_index); }
    void undo() override { m_history->activate(m_index - 1); }

private:
    EditHistory* m_history;
    int m_index;
};

EditHistory::EditHistory(QObject* parent) : QObject(parent), m_stack(new QUndoStack(this)) {}

void EditHistory::reset(const HistoryEntry& source)
{
    m_stack->clear();
    m_entries = {source};
    m_current = 0;
    Q_EMIT entriesChanged();
    Q_EMIT currentChanged(0);
}

void EditHistory::clear()
{
    m_stack->clear();
    m_entries.clear();
    m_current = -1;
    Q_EMIT entriesChanged();
    Q_EMIT currentChanged(-1);
}

void EditHistory::push(const HistoryEntry& entry)
{
    if (m_entries.isEmpty()) {
        reset(entry);
        return;
    }
    m_entries.resize(m_current + 1);
    m_entries.append(entry);
    Q_EMIT entriesChanged();
    m_stack->push(new EditHistoryCommand(this, int(m_entries.size()) - 1, entry.label));
}

void EditHistory::restore(const QVector<HistoryEntry>& entries, int current)
{
    if (entries.isEmpty()) {
        clear();
        return;
    }
    m_quiet = true;
    m_stack->clear();
    m_entries = entries;
    m_current = 0;
    for (int i = 1; i < m_entries.size(); ++i)
        m_stack->push(new EditHistoryCommand(this, i, m_entries[i].label));
    m_stack->setIndex(std::clamp(current, 0, int(m_entries.size()) - 1));
    m_quiet = false;
    Q_EMIT entriesChanged();
    Q_EMIT currentChanged(m_current);
}

void EditHistory::replaceCurrent(const HistoryEntry& entry)
{
    if (m_current < 0)
        return;
    m_entries[m_current] = entry;
    Q_EMIT entriesChanged();
    Q_EMIT currentChanged(m_current);
}

void EditHistory::setCurrentIndex(int index)
{
    if (index >= 0 && index < m_entries.size())
        m_stack->setIndex(index);
}

void EditHistory::activate(int index)
{
    if (index < 0 || index >= m_entries.size() || index == m_current)
        return;
    m_current = index;
    if (!m_quiet)
        Q_EMIT currentChanged(index);
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_EditHistory.cpp"
