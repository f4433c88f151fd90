#include "ui/panels/PromptBox.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QStringListModel>

namespace pae::ui {

PromptBox::PromptBox(QWidget* parent) : QLineEdit(parent)
{
    setPlaceholderText(tr("Describe the face you want, e.g. “a happy face”"));
    setToolTip(tr("What the face should become. Enter runs the edit (Ctrl+Return from anywhere);\n"
                  "Up/Down recall earlier prompts; suggestions come from the selected corpus."));
    setClearButtonEnabled(true);
    m_completionModel = new QStringListModel(this);
    m_completer = new QCompleter(m_completionModel, this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setMaxVisibleItems(12);
    setCompleter(m_completer);
    connect(this, &QLineEdit::returnPressed, this, [this] {
        const QString prompt = text().trimmed();
        addToHistory(prompt); // an empty one is not kept
        Q_EMIT submitted(prompt);
    });
}

void PromptBox::setHistory(const QStringList& history)
{
    m_history.clear();
    for (const QString& h : history)
        addToHistory(h);
}

void PromptBox::addToHistory(const QString& prompt)
{
    const QString p = prompt.trimmed();
    if (p.isEmpty())
        return;
    m_history.removeAll(p);
    m_history.append(p);
    while (m_history.size() > maxHistory)
        m_history.removeFirst();
    m_historyPos = -1;
}

void PromptBox::setCompletions(const QStringList& prompts) { m_completionModel->setStringList(prompts); }

QStringList PromptBox::completions() const { return m_completionModel->stringList(); }

void PromptBox::showHistoryEntry(int index)
{
    m_historyPos = index;
    setText(index < 0 ? m_draft : m_history.at(index));
}

void PromptBox::keyPressEvent(QKeyEvent* event)
{
    const bool popupOpen = m_completer->popup() && m_completer->popup()->isVisible();
    if (!popupOpen && !m_history.isEmpty() && (event->key() == Qt::Key_Up || event->key() == Qt::Key_Down)) {
        if (event->key() == Qt::Key_Up) {
            if (m_historyPos < 0) {
                m_draft = text();
                showHistoryEntry(int(m_history.size()) - 1);
            } else if (m_historyPos > 0) {
                showHistoryEntry(m_historyPos - 1);
            }
        } else if (m_historyPos >= 0) {
            showHistoryEntry(m_historyPos + 1 < m_history.size() ? m_historyPos + 1 : -1);
        }
        event->accept();
        return;
    }
    QLineEdit::keyPressEvent(event);
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_PromptBox.cpp"
