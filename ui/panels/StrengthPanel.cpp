#include "ui/panels/StrengthPanel.h"

#include "ui/panels/SliderSpinBox.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace pae::ui {

StrengthPanel::StrengthPanel(QWidget* parent) : QWidget(parent)
{
    m_lambda = new SliderSpinBox(0.0, 30.0, 0.1, 1, this);
    m_lambda->setToolTips(tr("λ: edit strength. Larger values move the face further towards the prompt."));
    m_l2 = new SliderSpinBox(0.0, 0.5, 0.001, 3, this);
    m_l2->setToolTips(tr("L2 weight: keeps the latent close to the start; larger values give subtler edits."));
    m_id = new SliderSpinBox(0.0, 0.1, 0.001, 3, this);
    m_idLabel = new QLabel(this);
    m_steps = new SliderSpinBox(10, 1000, 10, 0, this);
    m_steps->setToolTips(tr("Optimization steps. More steps converge further but take longer."));
    m_lr = new SliderSpinBox(0.005, 0.5, 0.005, 3, this);
    m_lr->setToolTips(tr("Learning rate of the Adam optimizer on the W+ latent."));

    m_target = new QComboBox(this);
    m_target->addItem(tr("PAE+ (projection–augmentation)"), int(pae::TargetKind::PaePlus));
    m_target->addItem(tr("PAE (augmentation only)"), int(pae::TargetKind::Pae));
    m_target->addItem(tr("Text (plain CLIP)"), int(pae::TargetKind::Text));
    m_target->setToolTip(tr("Target embedding. PAE+ is the paper's method and edits only what the corpus\n"
                            "describes; Text is the usual CLIP baseline that also changes other features."));
    m_resolution = new QComboBox(this);
    m_resolution->addItem(tr("CLIP resolution (fast)"), int(pae::ResolutionMode::Clip));
    m_resolution->addItem(tr("Full resolution"), int(pae::ResolutionMode::Full));
    m_resolution->setToolTip(tr("CLIP only sees 224×224, so optimizing at the generator's 256² output is faster;\n"
                                "the final image is always rendered at full resolution."));
    m_reset = new QPushButton(tr("Reset to defaults"), this);
    m_reset->setToolTip(tr("Restore the default strength, weights, steps, learning rate and target."));

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Strength λ"), m_lambda);
    form->addRow(tr("L2 weight"), m_l2);
    form->addRow(m_idLabel, m_id);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Target"), m_target);
    form->addRow(tr("Resolution"), m_resolution);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_reset, 0, Qt::AlignRight);
    layout->addStretch(1);

    connect(m_reset, &QPushButton::clicked, this, &StrengthPanel::resetToDefaults);
    for (SliderSpinBox* s : {m_lambda, m_l2, m_id, m_steps, m_lr})
        connect(s, &SliderSpinBox::valueChanged, this, &StrengthPanel::changed);
    connect(m_target, qOverload<int>(&QComboBox::currentIndexChanged), this, &StrengthPanel::changed);
    connect(m_resolution, qOverload<int>(&QComboBox::currentIndexChanged), this, &StrengthPanel::changed);
    setIdentityAvailable(false);
    resetToDefaults();
}

void StrengthPanel::applyTo(pae::EditRequest& request) const
{
    request.lambdas = {float(m_lambda->value())};
    request.l2Weight = float(m_l2->value());
    request.idWeight = float(m_id->value());
    request.steps = int(std::lround(m_steps->value()));
    request.learningRate = float(m_lr->value());
    request.target = pae::TargetKind(m_target->currentData().toInt());
    request.resolution = pae::ResolutionMode(m_resolution->currentData().toInt());
}

void StrengthPanel::setFrom(const pae::EditRequest& request)
{
    if (!request.lambdas.empty())
        m_lambda->setValue(request.lambdas.front());
    m_l2->setValue(request.l2Weight);
    m_id->setValue(request.idWeight);
    m_steps->setValue(request.steps);
    m_lr->setValue(request.learningRate);
    m_target->setCurrentIndex(m_target->findData(int(request.target)));
    m_resolution->setCurrentIndex(m_resolution->findData(int(request.resolution)));
}

void StrengthPanel::setDefaults(const pae::EditRequest& defaults)
{
    pae::EditRequest current;
    applyTo(current);
    pae::EditRequest next = current;
    const auto follow = [](auto& value, const auto& oldDefault, const auto& newDefault) {
        if (value == oldDefault)
            value = newDefault;
    };
    if (!m_defaults.lambdas.empty() && !defaults.lambdas.empty())
        follow(next.lambdas.front(), m_defaults.lambdas.front(), defaults.lambdas.front());
    follow(next.l2Weight, m_defaults.l2Weight, defaults.l2Weight);
    follow(next.idWeight, m_defaults.idWeight, defaults.idWeight);
    follow(next.steps, m_defaults.steps, defaults.steps);
    follow(next.learningRate, m_defaults.learningRate, defaults.learningRate);
    follow(next.target, m_defaults.target, defaults.target);
    follow(next.resolution, m_defaults.resolution, defaults.resolution);
    m_defaults = defaults;
    setFrom(next);
}

void StrengthPanel::setIdentityAvailable(bool available)
{
    m_id->setEnabled(available);
    const QString tip = available ? tr("Identity weight: keeps the person recognizable (ArcFace cosine).")
                                  : tr("Off: the identity loss needs a face recognition model, and none is loaded.\n"
                                       "Give an ArcFace IR-SE50 file (model_ir_se50.pth) in Models… to use it.");
    // On the label and the whole row too: a disabled control is easy to miss, its label is not.
    m_id->setToolTips(tip);
    m_id->setToolTip(tip);
    m_idLabel->setToolTip(tip);
    m_idLabel->setText(available ? tr("Identity weight") : tr("Identity weight (no model)"));
}

QString StrengthPanel::identityNote() const { return m_idLabel->toolTip(); }

double StrengthPanel::lambda() const { return m_lambda->value(); }

void StrengthPanel::resetToDefaults() { setFrom(m_defaults); }

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_StrengthPanel.cpp"
