#include "ui/window/StudioLayout.h"

#include "ui/canvas/ImageCanvas.h"
#include "ui/panels/ComparePanel.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/FaceSourcePanel.h"
#include "ui/panels/HistoryPanel.h"
#include "ui/panels/LiveEditPanel.h"
#include "ui/panels/LogPanel.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/StrengthPanel.h"

#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QMainWindow>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QStyle>
#include <QVBoxLayout>

namespace pae::ui {

StudioWidgets buildStudioLayout(QMainWindow* window, EditHistory* history)
{
    StudioWidgets w;
    w.canvas = new ImageCanvas(window);
    w.canvas->setPlaceholderText(QObject::tr("Loading the models…"));
    w.prompt = new PromptBox(window);
    w.runButton = new QPushButton(window->style()->standardIcon(QStyle::SP_MediaPlay), QObject::tr("Run"), window);
    w.runButton->setToolTip(QObject::tr("Edit the current face towards the prompt with the strength λ (Ctrl+Return)."));
    w.runButton->setDefault(true);
    w.cancelButton =
        new QPushButton(window->style()->standardIcon(QStyle::SP_MediaStop), QObject::tr("Cancel"), window);
    w.cancelButton->setToolTip(
        QObject::tr("Stop the running edit or photo inversion (Esc). The face stays as it was."));

    auto* central = new QWidget(window);
    auto* promptRow = new QHBoxLayout;
    auto* promptLabel = new QLabel(QObject::tr("Prompt"), central);
    promptLabel->setBuddy(w.prompt);
    promptRow->addWidget(promptLabel);
    promptRow->addWidget(w.prompt, 1);
    w.tokens = new QLabel(central);
    w.tokens->setObjectName(QStringLiteral("tokenCount"));
    w.tokens->setToolTip(QObject::tr("Tokens of the prompt against what the text encoder reads (77 for real CLIP, "
                                     "fewer for the built-in one); what does not fit is cut"));
    promptRow->addWidget(w.tokens);
    promptRow->addWidget(w.runButton);
    promptRow->addWidget(w.cancelButton);
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(6, 6, 6, 0);
    centralLayout->addLayout(promptRow);
    centralLayout->addWidget(w.canvas, 1);
    window->setCentralWidget(central);

    auto dock = [window](const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, window);
        d->setObjectName(name);
        d->setWidget(content);
        d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
        window->addDockWidget(area, d);
        return d;
    };
    w.source = new FaceSourcePanel(window);
    w.historyPanel = new HistoryPanel(history, window);
    w.corpus = new CorpusPicker(window);
    w.strength = new StrengthPanel(window);
    w.compare = new ComparePanel(window);
    w.log = new LogPanel(window);
    w.live = new LiveEditPanel(window);
    auto* faceDock = dock(QObject::tr("Face"), QStringLiteral("faceDock"), w.source, Qt::LeftDockWidgetArea);
    auto* historyDock =
        dock(QObject::tr("History"), QStringLiteral("historyDock"), w.historyPanel, Qt::LeftDockWidgetArea);
    auto* corpusDock = dock(QObject::tr("Corpus"), QStringLiteral("corpusDock"), w.corpus, Qt::RightDockWidgetArea);
    auto* strengthDock =
        dock(QObject::tr("Strength"), QStringLiteral("strengthDock"), w.strength, Qt::RightDockWidgetArea);
    auto* compareDock =
        dock(QObject::tr("λ comparison"), QStringLiteral("compareDock"), w.compare, Qt::BottomDockWidgetArea);
    auto* logDock = dock(QObject::tr("Log"), QStringLiteral("logDock"), w.log, Qt::BottomDockWidgetArea);
    auto* liveDock = dock(QObject::tr("Live edit"), QStringLiteral("liveEditDock"), w.live, Qt::RightDockWidgetArea);
    window->tabifyDockWidget(strengthDock, liveDock);
    strengthDock->raise();
    window->tabifyDockWidget(compareDock, logDock);
    compareDock->raise();
    // Corners go to the side docks so the bottom strip sits under the canvas only.
    window->setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    window->setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    window->resizeDocks({faceDock, corpusDock}, {250, 320}, Qt::Horizontal);
    window->resizeDocks({faceDock, historyDock}, {330, 300}, Qt::Vertical);
    window->resizeDocks({corpusDock, strengthDock}, {300, 330}, Qt::Vertical);
    window->resizeDocks({compareDock}, {225}, Qt::Vertical);
    w.dockActions = {faceDock->toggleViewAction(),     historyDock->toggleViewAction(), corpusDock->toggleViewAction(),
                     strengthDock->toggleViewAction(), liveDock->toggleViewAction(),    compareDock->toggleViewAction(),
                     logDock->toggleViewAction()};

    w.statusZoom = new QLabel(window);
    w.statusZoom->setToolTip(QObject::tr("Zoom: 100% shows one image pixel per screen pixel"));
    w.statusEta = new QLabel(window);
    w.statusEta->setToolTip(QObject::tr("Time left in the running edit"));
    w.progress = new QProgressBar(window);
    w.progress->setMaximumWidth(220);
    w.progress->setTextVisible(true);
    w.progress->setToolTip(QObject::tr("Progress of the running edit"));
    w.progress->hide();
    window->statusBar()->addPermanentWidget(w.statusEta);
    window->statusBar()->addPermanentWidget(w.progress);
    window->statusBar()->addPermanentWidget(w.statusZoom);
    QObject::connect(w.canvas, &ImageCanvas::zoomChanged, w.statusZoom, [label = w.statusZoom](double percent) {
        label->setText(QStringLiteral("%1%").arg(percent, 0, 'f', 0));
    });
    return w;
}

} // namespace pae::ui
