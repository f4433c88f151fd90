#include "ui/panels/HistoryPanel.h"

#include "ui/canvas/ImageConversion.h"
#include "ui/session/EditHistory.h"

#include <QListWidget>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace pae::ui {

HistoryPanel::HistoryPanel(EditHistory* history, QWidget* parent) : QWidget(parent), m_history(history)
{
    m_list = new QListWidget(this);
    m_list->setIconSize(QSize(56, 56));
    m_list->setUniformItemSizes(true);
    m_list->setWordWrap(true);
    m_list->setToolTip(tr("Every edit, newest last. Click one to go back to it (the same as Undo/Redo).\n"
                          "The next edit starts from the selected face."));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_list);
    connect(m_history, &EditHistory::entriesChanged, this, &HistoryPanel::rebuild);
    connect(m_history, &EditHistory::currentChanged, this, &HistoryPanel::markCurrent);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row != m_history->currentIndex())
            m_history->setCurrentIndex(row);
    });
    rebuild();
}

void HistoryPanel::rebuild()
{
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const HistoryEntry& e : m_history->entries()) {
        auto* item = new QListWidgetItem(m_list);
        item->setText(e.label);
        QString tip = e.label;
        if (e.kind == HistoryEntry::Kind::Edit && e.hasMetrics)
            tip += tr("\nλ %1 · loss %2 · CLIP %3")
                       .arg(double(e.lambda))
                       .arg(double(e.metrics.loss), 0, 'f', 3)
                       .arg(double(e.metrics.clipToTarget), 0, 'f', 3);
        if (e.kind == HistoryEntry::Kind::Edit && e.hasMetrics && e.metrics.idSimilarity)
            tip += tr(" · identity %1").arg(double(*e.metrics.idSimilarity), 0, 'f', 3);
        item->setToolTip(tip);
        if (!e.thumbnail.isNull())
            item->setIcon(QIcon(QPixmap::fromImage(e.thumbnail)));
        else if (!e.image.isNull())
            item->setIcon(QIcon(QPixmap::fromImage(historyThumbnail(e.image))));
    }
    markCurrent();
}

void HistoryPanel::markCurrent()
{
    const QSignalBlocker block(m_list);
    const int current = m_history->currentIndex();
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        item->setForeground(i > current ? palette().color(QPalette::Disabled, QPalette::Text)
                                        : palette().color(QPalette::Text));
    }
    m_list->setCurrentRow(current);
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_HistoryPanel.cpp"
