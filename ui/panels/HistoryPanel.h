#pragma once
// Thumbnails of the edit chain. Entries after the current one are the ones Redo brings
// back; they are dimmed.
#include <QWidget>

class QListWidget;
class QToolButton;

namespace pae::ui {

class EditHistory;

class HistoryPanel : public QWidget {
    Q_OBJECT
public:
    explicit HistoryPanel(EditHistory* history, QWidget* parent = nullptr);
    QListWidget* list() const { return m_list; }

private:
    void rebuild();
    void markCurrent();

    EditHistory* m_history;
    QListWidget* m_list = nullptr;
};

} // namespace pae::ui
