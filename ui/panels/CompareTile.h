#pragma once
// One λ of a sweep: its latest frame and the numbers that tell the results apart.
#include <QFrame>
#include <QImage>

#include <optional>

namespace pae::ui {

class CompareTile : public QFrame {
    Q_OBJECT
public:
    explicit CompareTile(float lambda, QWidget* parent = nullptr);

    float lambda() const { return m_lambda; }
    QImage image() const { return m_image; }
    void setImage(const QImage& image);
    // identity: the ArcFace cosine to the source face, when an identity model measured it.
    void setMetrics(float loss, float clipSimilarity, std::optional<float> identity = std::nullopt);
    bool hasMetrics() const { return m_hasMetrics; }
    QString caption() const;
    void setSelected(bool selected);
    bool isSelected() const { return m_selected; }
    QSize sizeHint() const override;
    void setTileHeight(int height);

Q_SIGNALS:
    void clicked();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    float m_lambda = 0;
    QImage m_image;
    float m_loss = 0;
    float m_clip = 0;
    std::optional<float> m_identity;
    bool m_hasMetrics = false;
    bool m_selected = false;
};

} // namespace pae::ui
