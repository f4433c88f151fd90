#pragma once
// What the studio's controllers share: the window and its widgets, the document, the loaded
// models, and the ways a controller speaks to the user. MainWindow makes one and hands a
// copy to each controller; nothing here owns anything (the widgets belong to the window).
#include <QList>
#include <QString>

#include <functional>
#include <memory>

class QAction;
class QLabel;
class QMainWindow;
class QProgressBar;
class QPushButton;

namespace pae {
class ModelSet;
}

namespace pae::ui {

class ComparePanel;
class CorpusPicker;
class Document;
class EditHistory;
class FaceSourcePanel;
class HistoryPanel;
class ImageCanvas;
class LiveEditPanel;
class LogPanel;
class PromptBox;
class StrengthPanel;

// The widgets of the window (made by buildStudioLayout).
struct StudioWidgets {
    ImageCanvas* canvas = nullptr;
    PromptBox* prompt = nullptr;
    QLabel* tokens = nullptr; // the prompt's tokens against the text encoder's limit
    QPushButton* runButton = nullptr;
    QPushButton* cancelButton = nullptr;
    FaceSourcePanel* source = nullptr;
    HistoryPanel* historyPanel = nullptr;
    CorpusPicker* corpus = nullptr;
    StrengthPanel* strength = nullptr;
    ComparePanel* compare = nullptr;
    LogPanel* log = nullptr;
    LiveEditPanel* live = nullptr;
    QLabel* statusZoom = nullptr;
    QLabel* statusEta = nullptr;
    QProgressBar* progress = nullptr;
    QList<QAction*> dockActions; // View › the panels
};

struct Studio {
    QMainWindow* window = nullptr; // parent of dialogs and message boxes
    StudioWidgets w;
    Document* doc = nullptr;
    EditHistory* history = nullptr; // the document's
    // The loaded models; null until they are.
    std::function<std::shared_ptr<pae::ModelSet>()> models;
    // A message box (when the window is shown), the log, the status bar and errorShown.
    std::function<void(const QString& title, const QString& message)> reportError;
    // The status bar: `timeoutMs` 0 keeps the message until the next one.
    std::function<void(const QString& message, int timeoutMs)> status;
    std::function<QString()> currentStatus;
    // Asks Save / Discard / Cancel before the work on screen is replaced by `what`; false:
    // leave everything as it is.
    std::function<bool(const QString& what)> confirmReplace;
    // Actions and buttons follow the state (models, busy jobs, the face on screen).
    std::function<void()> updateActions;
};

} // namespace pae::ui
