#pragma once
// How hard and how long to push: λ, loss weights, steps, learning rate, target kind,
// which latent rows move (and whether together) and resolution mode. Reads from and writes into an EditRequest, so the
// defaults live in EditRequest::defaults() only (the loaded models' ones, see setDefaults).
#include "core/edit/edit_request.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace pae::ui {

class SliderSpinBox;

class StrengthPanel : public QWidget {
    Q_OBJECT
public:
    explicit StrengthPanel(QWidget* parent = nullptr);

    // Copies the panel's values into `request` (λ becomes a one-element list).
    void applyTo(pae::EditRequest& request) const;
    // Shows the request's values; the first λ goes to the λ slider.
    void setFrom(const pae::EditRequest& request);
    // The loaded models' defaults (EditRequest::defaults(info)), which Reset restores. A value
    // still at the previous models' default moves to the new one; a value the user set stays.
    void setDefaults(const pae::EditRequest& defaults);
    // The loaded generator's W+ rows: the row choices (all, coarse 0–3, middle 4–7, fine 8–)
    // are offered as far as it has them.
    void setLatentRows(int rows);
    // Identity loss needs a face recognition model; without one its weight is meaningless.
    void setIdentityAvailable(bool available);

    double lambda() const;
    SliderSpinBox* lambdaControl() const { return m_lambda; }
    SliderSpinBox* l2Control() const { return m_l2; }
    SliderSpinBox* identityControl() const { return m_id; }
    // Why the identity weight is on or off, as its label's tooltip says it.
    QString identityNote() const;
    QLabel* identityLabel() const { return m_idLabel; }
    SliderSpinBox* stepsControl() const { return m_steps; }
    SliderSpinBox* learningRateControl() const { return m_lr; }
    QComboBox* targetControl() const { return m_target; }
    QComboBox* resolutionControl() const { return m_resolution; }
    QComboBox* layersControl() const { return m_layers; }
    QComboBox* spaceControl() const { return m_space; }

public Q_SLOTS:
    void resetToDefaults();

Q_SIGNALS:
    void changed();

private:
    pae::EditRequest m_defaults = pae::EditRequest::defaults();
    SliderSpinBox* m_lambda = nullptr;
    SliderSpinBox* m_l2 = nullptr;
    SliderSpinBox* m_id = nullptr;
    QLabel* m_idLabel = nullptr;
    SliderSpinBox* m_steps = nullptr;
    SliderSpinBox* m_lr = nullptr;
    QComboBox* m_target = nullptr;
    QComboBox* m_resolution = nullptr;
    QComboBox* m_layers = nullptr; // item data: the row list as formatLayers writes it ("all", "0-3")
    QComboBox* m_space = nullptr;  // item data: sharedOffset
    int m_rows = 18;
    void fillLayerChoices(const QString& keep);
    QPushButton* m_reset = nullptr;
};

} // namespace pae::ui
