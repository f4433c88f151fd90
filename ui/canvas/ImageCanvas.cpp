#include "ui/canvas/ImageCanvas.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <utility>

namespace pae::ui {

namespace {
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 64.0;
constexpr double kHandleGrab = 8.0; // logical pixels either side of the split line
} // namespace

ImageCanvas::ImageCanvas(QWidget* parent) : QWidget(parent)
{
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(200, 200);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setToolTip(tr("Wheel: zoom around the cursor · drag: pan · double-click: fit\n"
                  "Hold Space: show the original · drag the split handle to compare · drop a file to open it"));
}

QImage ImageCanvas::compose(const QImage& image) const
{
    return m_composer && !image.isNull() ? m_composer(image) : image;
}

void ImageCanvas::setComposer(Composer composer)
{
    m_composer = std::move(composer);
    m_image = compose(m_raw);
    m_before = compose(m_rawBefore);
    m_fit = true;
    fitToWindow();
}

void ImageCanvas::setImage(const QImage& given)
{
    m_raw = given;
    m_image = compose(given);
    m_fit = true;
    fitToWindow();
}

void ImageCanvas::setFrame(const QImage& given)
{
    if (m_image.isNull() || given.isNull()) {
        setImage(given);
        return;
    }
    m_raw = given;
    const QImage image = compose(given);
    if (image.size() != m_image.size()) {
        // Keep the on-screen rectangle: the same face at another resolution must not jump.
        m_scale *= double(m_image.width()) / double(image.width());
    }
    m_image = image;
    if (m_fit)
        fitToWindow();
    else
        update();
}

void ImageCanvas::setBeforeImage(const QImage& image)
{
    m_rawBefore = image;
    m_before = compose(image);
    update();
}

void ImageCanvas::clear()
{
    m_raw = QImage();
    m_rawBefore = QImage();
    m_image = QImage();
    m_before = QImage();
    m_marks.clear();
    update();
}

void ImageCanvas::setPlaceholderText(const QString& text)
{
    m_placeholder = text;
    update();
}

double ImageCanvas::zoomPercent() const { return m_scale * devicePixelRatioF() * 100.0; }

QPointF ImageCanvas::mapToImage(const QPointF& widgetPos) const { return (widgetPos - m_offset) / m_scale; }

QPointF ImageCanvas::mapFromImage(const QPointF& imagePos) const { return imagePos * m_scale + m_offset; }

QRectF ImageCanvas::imageRect() const
{
    return QRectF(m_offset, QSizeF(m_image.width() * m_scale, m_image.height() * m_scale));
}

double ImageCanvas::splitX() const { return m_offset.x() + m_splitPos * m_image.width() * m_scale; }

bool ImageCanvas::nearSplitHandle(const QPointF& pos) const
{
    if (!m_split || m_image.isNull())
        return false;
    const QRectF r = imageRect();
    return std::abs(pos.x() - splitX()) <= kHandleGrab && pos.y() >= r.top() - kHandleGrab &&
           pos.y() <= r.bottom() + kHandleGrab;
}

void ImageCanvas::setSplitPosition(double fraction)
{
    m_splitPos = std::clamp(fraction, 0.0, 1.0);
    update();
}

void ImageCanvas::setScale(double scale)
{
    const double dpr = devicePixelRatioF();
    m_scale = std::clamp(scale, kMinZoom / dpr, kMaxZoom / dpr);
    Q_EMIT zoomChanged(zoomPercent());
}

void ImageCanvas::centerImage()
{
    m_offset = QPointF((width() - m_image.width() * m_scale) / 2.0, (height() - m_image.height() * m_scale) / 2.0);
}

void ImageCanvas::fitToWindow()
{
    m_fit = true;
    if (!m_image.isNull()) {
        const double margin = 8.0;
        const double sx = (width() - 2 * margin) / m_image.width();
        const double sy = (height() - 2 * margin) / m_image.height();
        setScale(std::max(1e-3, std::min(sx, sy)));
        centerImage();
    }
    update();
}

void ImageCanvas::actualSize()
{
    m_fit = false;
    if (!m_image.isNull()) {
        setScale(1.0 / devicePixelRatioF());
        centerImage();
    }
    update();
}

void ImageCanvas::zoomIn() { zoomAt(QPointF(width() / 2.0, height() / 2.0), 1.25); }

void ImageCanvas::zoomOut() { zoomAt(QPointF(width() / 2.0, height() / 2.0), 1.0 / 1.25); }

void ImageCanvas::zoomAt(const QPointF& widgetPos, double factor)
{
    if (m_image.isNull())
        return;
    const QPointF anchor = mapToImage(widgetPos);
    m_fit = false;
    setScale(m_scale * factor);
    m_offset = widgetPos - anchor * m_scale;
    update();
}

void ImageCanvas::panBy(const QPointF& delta)
{
    if (m_image.isNull())
        return;
    m_fit = false;
    m_offset += delta;
    update();
}

void ImageCanvas::setSplitEnabled(bool enabled)
{
    if (m_split == enabled)
        return;
    m_split = enabled;
    update();
    Q_EMIT splitEnabledChanged(enabled);
}

void ImageCanvas::setShowingBefore(bool before)
{
    if (m_holdBefore == before)
        return;
    m_holdBefore = before;
    update();
}

void ImageCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Window).darker(135));
    if (m_image.isNull()) {
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(rect().adjusted(16, 16, -16, -16), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    // Smooth when shrinking, crisp pixels when zoomed in far enough to inspect them.
    p.setRenderHint(QPainter::SmoothPixmapTransform, zoomPercent() < 400.0);
    const QRectF target = imageRect();
    const bool haveBefore = !m_before.isNull();
    if (m_holdBefore && haveBefore) {
        p.drawImage(target, m_before);
    } else if (m_split && haveBefore) {
        const double x = std::clamp(splitX(), target.left(), target.right());
        p.save();
        p.setClipRect(QRectF(target.left(), target.top(), x - target.left(), target.height()));
        p.drawImage(target, m_before);
        p.setClipRect(QRectF(x, target.top(), target.right() - x, target.height()));
        p.drawImage(target, m_image);
        p.restore();
    } else {
        p.drawImage(target, m_image);
    }

    auto label = [&](const QString& text, const QPointF& at, Qt::Alignment align) {
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        const QFontMetricsF fm(f);
        QRectF box(0, 0, fm.horizontalAdvance(text) + 12, fm.height() + 6);
        box.moveTop(at.y());
        if (align & Qt::AlignRight)
            box.moveRight(at.x());
        else
            box.moveLeft(at.x());
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0, 0, 0, 150));
        p.drawRoundedRect(box, 4, 4);
        p.setPen(Qt::white);
        p.drawText(box, Qt::AlignCenter, text);
    };

    if (!(m_holdBefore && haveBefore)) {
        for (const Mark& m : m_marks) {
            const QRectF box(mapFromImage(m.box.topLeft()), mapFromImage(m.box.bottomRight()));
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(QColor(0, 0, 0, 140), 4)); // legible on light and dark photos
            p.drawRoundedRect(box, 6, 6);
            QPen pen(m.current ? QColor(76, 175, 80) : QColor(255, 255, 255, 230), 2);
            if (!m.current)
                pen.setStyle(Qt::DashLine);
            p.setPen(pen);
            p.drawRoundedRect(box, 6, 6);
            const QFontMetricsF fm(font());
            const double above = box.top() - fm.height() - 10;
            label(m.label, QPointF(box.left(), above >= 0 ? above : box.top() + 4), Qt::AlignLeft);
        }
    }
    const QRectF visible = target.intersected(QRectF(rect()));
    if (m_holdBefore && haveBefore) {
        label(tr("Original"), visible.topLeft() + QPointF(8, 8), Qt::AlignLeft);
    } else if (m_split && haveBefore) {
        const double x = std::clamp(splitX(), target.left(), target.right());
        p.setPen(QPen(QColor(255, 255, 255, 220), 2));
        p.drawLine(QPointF(x, visible.top()), QPointF(x, visible.bottom()));
        const QPointF c(x, visible.center().y());
        p.setBrush(Qt::white);
        p.setPen(QPen(QColor(0, 0, 0, 120), 1));
        p.drawEllipse(c, 11, 11);
        p.setPen(QPen(QColor(40, 40, 40), 2));
        p.drawLine(c + QPointF(-6, 0), c + QPointF(-2, -4));
        p.drawLine(c + QPointF(-6, 0), c + QPointF(-2, 4));
        p.drawLine(c + QPointF(6, 0), c + QPointF(2, -4));
        p.drawLine(c + QPointF(6, 0), c + QPointF(2, 4));
        label(tr("Before"), QPointF(x - 8, visible.top() + 8), Qt::AlignRight);
        label(tr("After"), QPointF(x + 8, visible.top() + 8), Qt::AlignLeft);
    }
}

void ImageCanvas::resizeEvent(QResizeEvent*)
{
    if (m_fit)
        fitToWindow();
}

void ImageCanvas::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0)
        return;
    zoomAt(event->position(), std::pow(1.2, steps));
    event->accept();
}

void ImageCanvas::setMarks(const QVector<Mark>& marks)
{
    m_marks = marks;
    m_pressedMark = -1;
    update();
}

int ImageCanvas::markAt(const QPointF& widgetPos) const
{
    if (m_image.isNull())
        return -1;
    const QPointF at = mapToImage(widgetPos);
    for (int k = int(m_marks.size()) - 1; k >= 0; --k)
        if (m_marks[k].box.contains(at))
            return k;
    return -1;
}

void ImageCanvas::mousePressEvent(QMouseEvent* event)
{
    m_lastPos = event->position();
    m_pressPos = event->position();
    const int mark = event->button() == Qt::LeftButton ? markAt(event->position()) : -1;
    m_pressedMark = mark >= 0 && !m_marks[mark].current ? mark : -1;
    if (event->button() == Qt::LeftButton && nearSplitHandle(event->position())) {
        m_drag = Drag::Split;
    } else if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        m_drag = Drag::Pan;
        setCursor(Qt::ClosedHandCursor);
    }
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event)
{
    const QPointF pos = event->position();
    if (m_drag == Drag::Split) {
        const QRectF r = imageRect();
        if (r.width() > 0)
            setSplitPosition((pos.x() - r.left()) / r.width());
    } else if (m_drag == Drag::Pan) {
        panBy(pos - m_lastPos);
    } else {
        updateCursor(pos);
    }
    m_lastPos = pos;
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    m_drag = Drag::None;
    const int pressed = std::exchange(m_pressedMark, -1);
    // A click, not a drag that happened to start on a face.
    if (pressed >= 0 && event->button() == Qt::LeftButton && markAt(event->position()) == pressed &&
        (event->position() - m_pressPos).manhattanLength() < 6)
        Q_EMIT markClicked(pressed);
    updateCursor(event->position());
}

void ImageCanvas::mouseDoubleClickEvent(QMouseEvent*) { fitToWindow(); }

void ImageCanvas::updateCursor(const QPointF& pos)
{
    const int mark = markAt(pos);
    if (nearSplitHandle(pos))
        setCursor(Qt::SplitHCursor);
    else if (mark >= 0 && !m_marks[mark].current)
        setCursor(Qt::PointingHandCursor);
    else if (!m_image.isNull())
        setCursor(Qt::OpenHandCursor);
    else
        unsetCursor();
}

void ImageCanvas::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space) {
        if (!event->isAutoRepeat())
            setShowingBefore(true);
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void ImageCanvas::keyReleaseEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Space) {
        if (!event->isAutoRepeat())
            setShowingBefore(false);
        event->accept();
        return;
    }
    QWidget::keyReleaseEvent(event);
}

void ImageCanvas::focusOutEvent(QFocusEvent* event)
{
    // A key release that goes to another window would otherwise leave "Original" stuck on.
    setShowingBefore(false);
    QWidget::focusOutEvent(event);
}

void ImageCanvas::dragEnterEvent(QDragEnterEvent* event)
{
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void ImageCanvas::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    Q_EMIT fileDropped(urls.first().toLocalFile());
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_ImageCanvas.cpp"
