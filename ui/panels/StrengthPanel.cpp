#include "ui/panels/StrengthPanel.h"

#include "ui/panels/SliderSpinBox.h"

#include "core/util/error.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <vector>

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
    m_target->addItem(tr("PAE+ corpus only (the prompt's part in the corpus)"), int(pae::TargetKind::PaePlusCorpus));
    m_target->addItem(tr("PAE (augmentation only)"), int(pae::TargetKind::Pae));
    m_target->addItem(tr("Text (plain CLIP)"), int(pae::TargetKind::Text));
    m_target->setToolTip(tr("Target embedding. PAE+ is the paper's method and edits only what the corpus\n"
                            "describes; PAE+ corpus only adds just the prompt's part in the corpus, so nothing\n"
                            "outside it is asked to change; Text is the usual CLIP baseline that also changes\n"
                            "other features."));
    m_resolution = new QComboBox(this);
    m_resolution->addItem(tr("CLIP resolution (fast)"), int(pae::ResolutionMode::Clip));
    m_resolution->addItem(tr("Full resolution"), int(pae::ResolutionMode::Full));
    m_resolution->setToolTip(tr("CLIP only sees 224×224, so optimizing at the generator's 256² output is faster;\n"
                                "the final image is always rendered at full resolution."));
    m_layers = new QComboBox(this);
    m_layers->setToolTip(tr("Which rows of the W+ latent the edit may move. Coarse rows shape the head and\n"
                            "hair, middle rows the expression, fine rows colour (StyleCLIP, StyleSpace);\n"
                            "moving fewer rows leaves more of the face as it was. On the built-in 64² world\n"
                            "the coarse rows also draw glasses and hair colour, and rows 6–9 change almost\n"
                            "nothing. A corpus can name its rows (# layers: in its file)."));
    m_space = new QComboBox(this);
    m_space->addItem(tr("W+ (each row on its own)"), false);
    m_space->addItem(tr("W (one offset for all rows)"), true);
    m_space->setToolTip(tr("W+: every moved row gets its own offset, the usual latent optimization.\n"
                           "W: one offset shared by the moved rows, the space a generator trained without\n"
                           "style mixing (the built-in one) knows; fewer side effects, smaller edits."));
    fillLayerChoices(QStringLiteral("all"));
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
    form->addRow(tr("Latent rows"), m_layers);
    form->addRow(tr("Latent space"), m_space);
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
    connect(m_layers, qOverload<int>(&QComboBox::currentIndexChanged), this, &StrengthPanel::changed);
    connect(m_space, qOverload<int>(&QComboBox::currentIndexChanged), this, &StrengthPanel::changed);
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
    // The choices are made from valid lists only; a list the loaded latent cannot hold is
    // refused by the request's validation, naming the field.
    request.layers = pae::parseLayers(m_layers->currentData().toString().toStdString(), 1 << 20, "layers");
    request.sharedOffset = m_space->currentData().toBool();
}

void StrengthPanel::fillLayerChoices(const QString& keep)
{
    const QSignalBlocker block(m_layers);
    m_layers->clear();
    m_layers->addItem(tr("All rows"), QStringLiteral("all"));
    const auto range = [this](int first, int last) {
        return QString::fromStdString(pae::formatLayers([&] {
            std::vector<int> rows;
            for (int r = first; r <= std::min(last, m_rows - 1); ++r)
                rows.push_back(r);
            return rows;
        }()));
    };
    if (m_rows > 4) {
        m_layers->addItem(tr("Coarse: %1 (head shape, hair)").arg(range(0, 3)), range(0, 3));
        m_layers->addItem(tr("Middle: %1 (expression)").arg(range(4, 7)), range(4, 7));
        m_layers->addItem(tr("Coarse and middle: %1").arg(range(0, 7)), range(0, 7));
    }
    if (m_rows > 8)
        m_layers->addItem(tr("Fine: %1 (colour)").arg(range(8, m_rows - 1)), range(8, m_rows - 1));
    int index = m_layers->findData(keep);
    if (index < 0) { // a list made elsewhere (pae-cli, a session): shown as it is
        m_layers->addItem(tr("Rows %1").arg(keep), keep);
        index = m_layers->count() - 1;
    }
    m_layers->setCurrentIndex(index);
}

void StrengthPanel::setLatentRows(int rows)
{
    if (rows < 1 || rows == m_rows)
        return;
    m_rows = rows;
    const QString keep = m_layers->currentData().toString();
    // A list that does not fit the new generator falls back to all rows, visibly.
    bool fits = true;
    try {
        pae::parseLayers(keep.toStdString(), m_rows, "layers");
    } catch (const pae::Error&) {
        fits = false;
    }
    fillLayerChoices(fits ? keep : QStringLiteral("all"));
    if (!fits)
        Q_EMIT changed();
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
    fillLayerChoices(QString::fromStdString(pae::formatLayers(request.layers)));
    m_space->setCurrentIndex(m_space->findData(request.sharedOffset));
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
    follow(next.layers, m_defaults.layers, defaults.layers);
    follow(next.sharedOffset, m_defaults.sharedOffset, defaults.sharedOffset);
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
