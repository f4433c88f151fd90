#pragma once
// The prompt line: Enter runs, Up/Down walk the history like a shell, and completion
// offers the prompts of the selected corpus.
#include <QLineEdit>
#include <QStringList>

class QCompleter;
class QStringListModel;

namespace pae::ui {

class PromptBox : public QLineEdit {
    Q_OBJECT
public:
    explicit PromptBox(QWidget* parent = nullptr);

    // Newest last. Duplicates move to the end; the list keeps at most maxHistory entries.
    QStringList history() const { return m_history; }
    void setHistory(const QStringList& history);
    void addToHistory(const QString& prompt);
    void setCompletions(const QStringList& prompts);
    QStringList completions() const;
    static constexpr int maxHistory = 100;

Q_SIGNALS:
    // Enter, also with an empty prompt (the window says what is missing instead of doing nothing).
    void submitted(const QString& prompt);

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void showHistoryEntry(int index);

    QStringList m_history;
    int m_historyPos = -1; // -1: editing a new line
    QString m_draft;       // what was typed before walking the history
    QCompleter* m_completer = nullptr;
    QStringListModel* m_completionModel = nullptr;
};

} // namespace pae::ui
