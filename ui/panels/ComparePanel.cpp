#include "ui/panels/ComparePanel.h"

#include "ui/panels/CompareTile.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>

#include <cmath>

namespace pae::ui {

ComparePanel::ComparePanel(QWidget* parent) : QWidget(parent)
{
    m_lambdas = new QLineEdit(QStringLiteral("2, 5, 8"), this);
    m_lambdas->setToolTip(tr("λ values to compare, separated by commas or spaces. They run together as one batch."));
    m_lambdas->setMaximumWidth(220);
    m_run = new QPushButton(tr("Run sweep"), this);
    m_run->setToolTip(tr("Run the prompt once for every λ in the list (Ctrl+Shift+Return)."));
    m_export = new QPushButton(tr("Export grid…"), this);
    m_export->setToolTip(tr("Save all tiles with their λ and scores as one image."));
    m_export->setEnabled(false);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("lambdaError"));
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    m_error->setWordWrap(true);
    m_error->hide();
    m_strip = new QWidget;
    m_stripLayout = new QHBoxLayout(m_strip);
    m_stripLayout->setContentsMargins(4, 4, 4, 4);
    m_hint = new QLabel(tr("Compare λ values side by side: list them above and press “Run sweep”.\n"
                           "All of them run together as one batch; click a result to make it the current face."),
                        m_strip);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setEnabled(false);
    m_stripLayout->addWidget(m_hint, 100);
    m_stripLayout->addStretch(1);
    m_scroll = new QScrollArea(this);
    m_scroll->setWidget(m_strip);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setMinimumHeight(120);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("λ values"), this));
    top->addWidget(m_lambdas, 1);
    top->addWidget(m_run);
    top->addStretch(1);
    top->addWidget(m_export);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_error);
    layout->addWidget(m_scroll, 1);

    connect(m_run, &QPushButton::clicked, this, &ComparePanel::requestSweep);
    connect(m_lambdas, &QLineEdit::returnPressed, this, &ComparePanel::requestSweep);
    // The message goes once the list is being fixed.
    connect(m_lambdas, &QLineEdit::textEdited, this, [this] { showLambdaError(QString()); });
    connect(m_export, &QPushButton::clicked, this, &ComparePanel::exportGridRequested);
}

std::vector<float> ComparePanel::parseLambdas(const QString& text, QString* error)
{
    std::vector<float> out;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        bool ok = false;
        const double v = part.toDouble(&ok);
        if (!ok || !std::isfinite(v) || v <= 0.0) {
            if (error)
                *error = tr("“%1” is not a positive number; write λ values like “2, 5, 8”.").arg(part);
            return {};
        }
        out.push_back(float(v));
    }
    if (out.empty() && error)
        *error = tr("Write at least one λ value, like “2, 5, 8”.");
    return out;
}

bool ComparePanel::requestSweep()
{
    QString error;
    const std::vector<float> values = parseLambdas(m_lambdas->text(), &error);
    showLambdaError(values.empty() ? error : QString());
    if (values.empty()) {
        m_lambdas->setFocus(Qt::OtherFocusReason);
        return false;
    }
    Q_EMIT sweepRequested(values);
    return true;
}

void ComparePanel::showLambdaError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    m_lambdas->setStyleSheet(message.isEmpty() ? QString()
                                               : QStringLiteral("QLineEdit { border: 1px solid #b00020; }"));
}

QString ComparePanel::lambdaError() const { return m_error->isHidden() ? QString() : m_error->text(); }

QString ComparePanel::lambdaText() const { return m_lambdas->text(); }

void ComparePanel::setLambdaText(const QString& text) { m_lambdas->setText(text); }

void ComparePanel::clearTiles()
{
    for (CompareTile* t : m_tiles)
        delete t;
    m_tiles.clear();
    m_selected = -1;
    m_export->setEnabled(false);
    m_hint->show();
}

void ComparePanel::startSweep(const std::vector<float>& lambdas)
{
    clearTiles();
    for (float l : lambdas) {
        auto* tile = new CompareTile(l, m_strip);
        const int index = int(m_tiles.size());
        connect(tile, &CompareTile::clicked, this, [this, index] {
            selectTile(index);
            Q_EMIT tileActivated(index);
        });
        m_stripLayout->insertWidget(m_stripLayout->count() - 1, tile);
        m_tiles << tile;
    }
    m_hint->setVisible(m_tiles.isEmpty());
    fitTiles();
    selectTile(0);
}

void ComparePanel::setFrames(const QVector<QImage>& frames)
{
    for (int i = 0; i < frames.size() && i < m_tiles.size(); ++i)
        m_tiles[i]->setImage(frames[i]);
}

void ComparePanel::setResults(const QVector<QImage>& images, const std::vector<pae::EditMetrics>& metrics)
{
    setFrames(images);
    for (int i = 0; i < m_tiles.size() && size_t(i) < metrics.size(); ++i)
        m_tiles[i]->setMetrics(metrics[size_t(i)].loss, metrics[size_t(i)].clipToTarget,
                               metrics[size_t(i)].idSimilarity);
    m_export->setEnabled(!m_tiles.isEmpty());
}

int ComparePanel::tileCount() const { return int(m_tiles.size()); }

CompareTile* ComparePanel::tile(int index) const
{
    return index >= 0 && index < m_tiles.size() ? m_tiles[index] : nullptr;
}

void ComparePanel::selectTile(int index)
{
    m_selected = index;
    for (int i = 0; i < m_tiles.size(); ++i)
        m_tiles[i]->setSelected(i == index);
}

QImage ComparePanel::gridImage() const
{
    if (m_tiles.isEmpty())
        return {};
    int side = 0;
    for (CompareTile* t : m_tiles)
        side = qMax(side, qMax(t->image().width(), t->image().height()));
    side = qMax(side, 128);
    const int caption = 44;
    const int pad = 8;
    const int cols = int(m_tiles.size());
    QImage grid(cols * (side + pad) + pad, side + caption + 2 * pad, QImage::Format_RGB888);
    grid.fill(QColor(250, 250, 250));
    QPainter p(&grid);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.setRenderHint(QPainter::TextAntialiasing);
    QFont f = p.font();
    f.setPixelSize(qMax(11, side / 16));
    for (int i = 0; i < cols; ++i) {
        const CompareTile* t = m_tiles[i];
        const QRect cell(pad + i * (side + pad), pad, side, side);
        if (!t->image().isNull())
            p.drawImage(cell, t->image());
        p.setPen(QColor(30, 30, 30));
        f.setBold(true);
        p.setFont(f);
        const QRect text(cell.left(), cell.bottom() + 4, side, caption - 4);
        p.drawText(text, Qt::AlignHCenter | Qt::AlignTop, tr("λ = %1").arg(double(t->lambda()), 0, 'g', 4));
        f.setBold(false);
        p.setFont(f);
        if (t->hasMetrics())
            p.drawText(text, Qt::AlignHCenter | Qt::AlignBottom, t->caption().section(QStringLiteral(" · "), 1));
    }
    return grid;
}

void ComparePanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitTiles();
}

void ComparePanel::fitTiles()
{
    // Leave room for the horizontal scroll bar even before it shows, or it would appear over
    // the captions as soon as the tiles overflow.
    const QMargins m = m_stripLayout->contentsMargins();
    const int height =
        m_scroll->height() - m_scroll->horizontalScrollBar()->sizeHint().height() - m.top() - m.bottom() - 2;
    for (CompareTile* t : m_tiles)
        t->setTileHeight(height);
}

void ComparePanel::setRunEnabled(bool enabled) { m_run->setEnabled(enabled); }

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_ComparePanel.cpp"
