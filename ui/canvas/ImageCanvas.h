#pragma once
// The picture in the middle: fit / 100% / wheel zoom around the cursor, pan by dragging,
// a before/after split with a draggable handle, and hold-Space to see the original.
// setFrame() swaps the picture without touching the view, so live previews do not jump.
#include <QImage>
#include <QVector>
#include <QWidget>

#include <functional>

namespace pae::ui {

class ImageCanvas : public QWidget {
    Q_OBJECT
public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    // A new picture: the view is fitted to it.
    void setImage(const QImage& image);
    // The next frame of the same picture: zoom and pan stay where the user put them; a
    // frame of another size covers the same screen rectangle.
    void setFrame(const QImage& image);
    // The "before" picture for the split view and the hold-to-compare key.
    void setBeforeImage(const QImage& image);
    void clear();
    void setPlaceholderText(const QString& text);
    // What is drawn for every picture given (the face pasted back into its photo); none:
    // the picture itself. Setting it redraws the pictures shown and fits the view.
    using Composer = std::function<QImage(const QImage&)>;
    void setComposer(Composer composer);
    bool hasComposer() const { return bool(m_composer); }
    // Boxes drawn over the picture (the faces found in a photo), in the drawn picture's
    // pixels. A click on one that is not `current` emits markClicked; a drag still pans.
    struct Mark {
        QRectF box;
        QString label;
        bool current = false;
    };
    void setMarks(const QVector<Mark>& marks);
    QVector<Mark> marks() const { return m_marks; }
    // The mark under a widget position, -1 for none.
    int markAt(const QPointF& widgetPos) const;

    // As given to setImage/setFrame/setBeforeImage; shownImage() is what is drawn.
    QImage image() const { return m_raw; }
    QImage beforeImage() const { return m_rawBefore; }
    QImage shownImage() const { return m_image; }

    // Logical pixels per image pixel.
    double scale() const { return m_scale; }
    // Zoom as users read it: 100% is one image pixel per device pixel.
    double zoomPercent() const;
    QPointF offset() const { return m_offset; }
    bool isFitted() const { return m_fit; }
    QPointF mapToImage(const QPointF& widgetPos) const;
    QPointF mapFromImage(const QPointF& imagePos) const;

    bool isSplitEnabled() const { return m_split; }
    // Fraction of the image width where "before" ends and "after" begins.
    double splitPosition() const { return m_splitPos; }
    void setSplitPosition(double fraction);
    bool isShowingBefore() const { return m_holdBefore; }

public Q_SLOTS:
    void fitToWindow();
    void actualSize();
    void zoomIn();
    void zoomOut();
    // Multiplies the zoom, keeping the image point under widgetPos where it is.
    void zoomAt(const QPointF& widgetPos, double factor);
    void panBy(const QPointF& delta);
    void setSplitEnabled(bool enabled);
    void setShowingBefore(bool before);

Q_SIGNALS:
    void zoomChanged(double percent);
    void splitEnabledChanged(bool enabled);
    void fileDropped(const QString& path);
    void markClicked(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    enum class Drag { None, Pan, Split };
    QRectF imageRect() const;
    double splitX() const;
    bool nearSplitHandle(const QPointF& pos) const;
    void setScale(double scale);
    void centerImage();
    void updateCursor(const QPointF& pos);

    QImage compose(const QImage& image) const;

    Composer m_composer;
    QImage m_raw; // as given
    QImage m_rawBefore;
    QImage m_image; // as drawn
    QImage m_before;
    QString m_placeholder;
    double m_scale = 1.0;
    QPointF m_offset; // widget position of the image's top-left corner
    bool m_fit = true;
    bool m_split = false;
    double m_splitPos = 0.5;
    bool m_holdBefore = false;
    Drag m_drag = Drag::None;
    QPointF m_lastPos;
    QVector<Mark> m_marks;
    int m_pressedMark = -1; // a press on a mark that is not current: a click if it ends there
    QPointF m_pressPos;
};

} // namespace pae::ui
