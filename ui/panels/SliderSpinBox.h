#pragma once
// A slider and a spin box showing one number. The slider is for feel, the spin box for
// exact values; either can drive, and the value is the spin box's (no slider rounding).
#include <QWidget>

class QSlider;
class QDoubleSpinBox;

namespace pae::ui {

class SliderSpinBox : public QWidget {
    Q_OBJECT
public:
    SliderSpinBox(double minimum, double maximum, double step, int decimals, QWidget* parent = nullptr);

    double value() const;
    void setValue(double value);
    void setToolTips(const QString& text);
    QDoubleSpinBox* spinBox() const { return m_spin; }
    QSlider* slider() const { return m_slider; }

Q_SIGNALS:
    void valueChanged(double value);

private:
    int toSlider(double value) const;

    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_spin = nullptr;
    double m_min = 0;
    double m_step = 1;
    bool m_syncing = false;
};

} // namespace pae::ui
