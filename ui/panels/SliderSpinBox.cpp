#include "ui/panels/SliderSpinBox.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>

#include <cmath>

namespace pae::ui {

SliderSpinBox::SliderSpinBox(double minimum, double maximum, double step, int decimals, QWidget* parent)
    : QWidget(parent), m_min(minimum), m_step(step)
{
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, toSlider(maximum));
    m_spin = new QDoubleSpinBox(this);
    m_spin->setRange(minimum, maximum);
    m_spin->setDecimals(decimals);
    m_spin->setSingleStep(step);
    m_spin->setKeyboardTracking(false);
    m_spin->setMinimumWidth(76);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_spin);
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (m_syncing)
            return;
        m_syncing = true;
        m_spin->setValue(m_min + v * m_step);
        m_syncing = false;
        Q_EMIT valueChanged(m_spin->value());
    });
    connect(m_spin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double v) {
        if (m_syncing)
            return;
        m_syncing = true;
        m_slider->setValue(toSlider(v));
        m_syncing = false;
        Q_EMIT valueChanged(v);
    });
}

int SliderSpinBox::toSlider(double value) const { return int(std::lround((value - m_min) / m_step)); }

double SliderSpinBox::value() const { return m_spin->value(); }

void SliderSpinBox::setValue(double value)
{
    m_spin->setValue(value); // drives the slider through the connection above
}

void SliderSpinBox::setToolTips(const QString& text)
{
    m_slider->setToolTip(text);
    m_spin->setToolTip(text);
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_SliderSpinBox.cpp"
