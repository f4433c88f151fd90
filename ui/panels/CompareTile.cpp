#include "ui/panels/CompareTile.h"

#include <QMouseEvent>
#include <QPainter>

namespace pae::ui {

CompareTile::CompareTile(float lambda, QWidget* parent) : QFrame(parent), m_lambda(lambda)
{
    setCursor(Qt::PointingHandCursor);
    setTileHeight(sizeHint().height());
    setToolTip(tr("λ = %1. Click to make this result the current image.").arg(double(lambda)));
}

void CompareTile::setImage(const QImage& image)
{
    m_image = image;
    update();
}

void CompareTile::setMetrics(float loss, float clipSimilarity, std::optional<float> identity)
{
    m_loss = loss;
    m_clip = clipSimilarity;
    m_identity = identity;
    m_hasMetrics = true;
    update();
}

QString CompareTile::caption() const
{
    QString text = tr("λ %1").arg(double(m_lambda), 0, 'g', 4);
    if (m_hasMetrics)
        text += tr(" · loss %1 · CLIP %2").arg(double(m_loss), 0, 'f', 3).arg(double(m_clip), 0, 'f', 3);
    if (m_hasMetrics && m_identity)
        text += tr(" · identity %1").arg(double(*m_identity), 0, 'f', 3);
    return text;
}

void CompareTile::setSelected(bool selected)
{
    m_selected = selected;
    update();
}

QSize CompareTile::sizeHint() const
{
    const int side = 150;
    return QSize(side + 10, side + fontMetrics().height() * 2 + 16);
}

void CompareTile::setTileHeight(int height)
{
    // Square image area above two lines of text; all tiles share one size so they compare.
    const int side = qMax(48, height - fontMetrics().height() * 2 - 16);
    const int textWidth = fontMetrics().horizontalAdvance(QStringLiteral("loss 0.000 · CLIP 0.000")) + 16;
    setFixedSize(qMax(side + 10, textWidth), side + fontMetrics().height() * 2 + 16);
}

void CompareTile::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const QRectF r = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    p.setPen(
        QPen(m_selected ? palette().color(QPalette::Highlight) : palette().color(QPalette::Mid), m_selected ? 3 : 1));
    p.setBrush(palette().color(QPalette::Base));
    p.drawRoundedRect(r, 6, 6);

    const int textH = fontMetrics().height() * 2 + 6;
    const QRectF imageArea = r.adjusted(5, 5, -5, -textH);
    if (!m_image.isNull()) {
        QSizeF s = QSizeF(m_image.size()).scaled(imageArea.size(), Qt::KeepAspectRatio);
        QRectF target(QPointF(0, 0), s);
        target.moveCenter(imageArea.center());
        p.drawImage(target, m_image);
    } else {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(imageArea, Qt::AlignCenter, tr("waiting…"));
    }
    p.setPen(palette().color(QPalette::Text));
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    const QRectF textArea(r.left() + 4, r.bottom() - textH, r.width() - 8, textH - 2);
    p.drawText(textArea, Qt::AlignHCenter | Qt::AlignTop, tr("λ = %1").arg(double(m_lambda), 0, 'g', 4));
    p.setFont(font());
    if (m_hasMetrics)
        p.drawText(textArea, Qt::AlignHCenter | Qt::AlignBottom,
                   tr("loss %1 · CLIP %2").arg(double(m_loss), 0, 'f', 3).arg(double(m_clip), 0, 'f', 3));
}

void CompareTile::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        Q_EMIT clicked();
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_CompareTile.cpp"
