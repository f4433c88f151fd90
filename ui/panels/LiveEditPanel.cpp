#include "ui/panels/LiveEditPanel.h"

#include "ui/panels/SliderSpinBox.h"

#include "core/edit/preset.h"

#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QStyle>
#include <QVBoxLayout>

namespace pae::ui {

namespace {
constexpr int kPathRole = Qt::UserRole;
constexpr int kNameRole = Qt::UserRole + 1;
constexpr int kStrengthRole = Qt::UserRole + 2;
constexpr int kWarningRole = Qt::UserRole + 3;
} // namespace

LiveEditPanel::LiveEditPanel(QWidget* parent) : QWidget(parent)
{
    // 0…2× on the slider; the box takes values beyond, both ways.
    m_strength = new SliderSpinBox(0.0, 2.0, 0.01, 2, this);
    m_strength->spinBox()->setRange(-3.0, 5.0);
    m_strength->setToolTips(
        tr("Strength of the edit on screen: 0 is the face it started from, 1 the edit's own result,\n"
           "2 twice as far. One generator pass, no new optimization."));
    m_what = new QLabel(this);
    m_what->setWordWrap(true);
    m_what->setToolTip(tr("The edit the strength slider scales"));
    m_applyStrength = new QPushButton(tr("Apply strength"), this);
    m_applyStrength->setObjectName(QStringLiteral("applyStrength"));
    m_applyStrength->setToolTip(tr("Keep the face at this strength as a new step of the history"));
    m_savePreset = new QPushButton(tr("Save as preset…"), this);
    m_savePreset->setToolTip(tr("Save this edit (its change Δw of the latent) as a preset to apply to other faces"));

    m_presets = new QListWidget(this);
    m_presets->setToolTip(tr("Presets: tick one or several to apply them to the face on screen as layers;\n"
                             "select one to set its strength"));
    m_layerStrength = new SliderSpinBox(0.0, 2.0, 0.01, 2, this);
    m_layerStrength->spinBox()->setRange(-3.0, 5.0);
    m_layerStrength->setToolTips(tr("Strength of the selected preset layer"));
    m_layerStrength->setEnabled(false);
    m_applyLayers = new QPushButton(tr("Apply presets"), this);
    m_applyLayers->setObjectName(QStringLiteral("applyPresets"));
    m_applyLayers->setToolTip(tr("Keep the face with the ticked presets as a new step of the history"));
    m_applyLayers->setEnabled(false);
    m_refine = new QPushButton(tr("Refine on this face"), this);
    m_refine->setObjectName(QStringLiteral("refinePreset"));
    m_refine->setToolTip(tr("Where a preset falls short on this face: apply the one ticked preset, then run a short\n"
                            "optimization of its own prompt from there (%1 steps). Tick exactly one preset.")
                             .arg(pae::kDefaultRefineSteps));
    m_refine->setEnabled(false);
    m_import = new QPushButton(tr("Import…"), this);
    m_import->setToolTip(tr("Add a .preset file to your presets"));
    m_export = new QPushButton(tr("Export…"), this);
    m_export->setToolTip(tr("Save the selected preset as a file elsewhere"));
    m_delete = new QPushButton(tr("Remove"), this);
    m_delete->setToolTip(tr("Remove the selected preset from your presets"));
    m_export->setEnabled(false);
    m_delete->setEnabled(false);

    auto* strengthBox = new QGroupBox(tr("Edit strength"), this);
    auto* s = new QVBoxLayout(strengthBox);
    s->addWidget(m_what);
    s->addWidget(m_strength);
    auto* sButtons = new QHBoxLayout;
    sButtons->addWidget(m_applyStrength);
    sButtons->addWidget(m_savePreset);
    s->addLayout(sButtons);
    auto* presetBox = new QGroupBox(tr("Presets"), this);
    auto* p = new QVBoxLayout(presetBox);
    p->addWidget(m_presets, 1);
    auto* layerRow = new QHBoxLayout;
    layerRow->addWidget(new QLabel(tr("Strength"), presetBox));
    layerRow->addWidget(m_layerStrength, 1);
    p->addLayout(layerRow);
    auto* pButtons = new QHBoxLayout;
    pButtons->addWidget(m_applyLayers);
    pButtons->addWidget(m_refine);
    pButtons->addStretch(1);
    pButtons->addWidget(m_import);
    pButtons->addWidget(m_export);
    pButtons->addWidget(m_delete);
    p->addLayout(pButtons);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(strengthBox);
    layout->addWidget(presetBox, 1);

    // Dragging renders small and fast; letting go (or typing a value) renders the full image.
    connect(m_strength, &SliderSpinBox::valueChanged, this, [this](double alpha) {
        if (!m_quiet)
            Q_EMIT strengthChanged(alpha, !m_strength->slider()->isSliderDown());
    });
    connect(m_strength->slider(), &QSlider::sliderReleased, this,
            [this] { Q_EMIT strengthChanged(m_strength->value(), true); });
    connect(m_applyStrength, &QPushButton::clicked, this, [this] { Q_EMIT applyStrengthRequested(strength()); });
    connect(m_savePreset, &QPushButton::clicked, this, &LiveEditPanel::savePresetRequested);
    connect(m_presets, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
        if (m_quiet)
            return;
        showLayerText(item);
        updateLayerButtons();
        Q_EMIT layersChanged();
    });
    connect(m_presets, &QListWidget::currentItemChanged, this, [this] { layerSelected(); });
    connect(m_layerStrength, &SliderSpinBox::valueChanged, this, [this](double v) {
        QListWidgetItem* item = m_presets->currentItem();
        if (m_quiet || !item)
            return;
        item->setData(kStrengthRole, v);
        showLayerText(item);
        if (item->checkState() == Qt::Checked)
            Q_EMIT layersChanged();
    });
    connect(m_applyLayers, &QPushButton::clicked, this, &LiveEditPanel::applyLayersRequested);
    connect(m_refine, &QPushButton::clicked, this, &LiveEditPanel::refineRequested);
    connect(m_import, &QPushButton::clicked, this, &LiveEditPanel::importPresetRequested);
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_presets->currentItem())
            Q_EMIT exportPresetRequested(item->data(kPathRole).toString());
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_presets->currentItem())
            Q_EMIT deletePresetRequested(item->data(kPathRole).toString());
    });
    setEditAvailable(false, QString());
}

void LiveEditPanel::setEditAvailable(bool available, const QString& what)
{
    m_strength->setEnabled(available);
    m_applyStrength->setEnabled(available);
    m_savePreset->setEnabled(available);
    m_what->setText(available ? tr("<b>%1</b>").arg(what.toHtmlEscaped())
                              : tr("Run an edit (or pick one in the history) to change its strength here."));
}

double LiveEditPanel::strength() const { return m_strength->value(); }

void LiveEditPanel::resetStrength()
{
    m_quiet = true;
    m_strength->setValue(1.0);
    m_quiet = false;
}

void LiveEditPanel::setPresets(const QVector<PresetLayer>& presets)
{
    const QVector<PresetLayer> before = this->presets();
    const QString selected =
        m_presets->currentItem() ? m_presets->currentItem()->data(kPathRole).toString() : QString();
    m_quiet = true;
    m_presets->clear();
    for (PresetLayer layer : presets) {
        for (const PresetLayer& old : before)
            if (old.path == layer.path) {
                layer.on = old.on;
                layer.strength = old.strength;
            }
        auto* item = new QListWidgetItem(m_presets);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(layer.on ? Qt::Checked : Qt::Unchecked);
        item->setData(kPathRole, layer.path);
        item->setData(kNameRole, layer.name);
        item->setData(kStrengthRole, layer.strength);
        item->setData(kWarningRole, layer.warning);
        if (layer.warning.isEmpty()) {
            item->setToolTip(layer.path);
        } else {
            item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
            item->setToolTip(layer.path + QLatin1Char('\n') + layer.warning);
        }
        showLayerText(item);
        if (layer.path == selected)
            m_presets->setCurrentItem(item);
    }
    m_quiet = false;
    layerSelected();
    updateLayerButtons();
}

void LiveEditPanel::updateLayerButtons()
{
    const int active = int(activeLayers().size());
    m_applyLayers->setEnabled(active > 0);
    m_refine->setEnabled(active == 1);
}

QVector<LiveEditPanel::PresetLayer> LiveEditPanel::presets() const
{
    QVector<PresetLayer> out;
    for (int i = 0; i < m_presets->count(); ++i) {
        const QListWidgetItem* item = m_presets->item(i);
        out.push_back({item->data(kPathRole).toString(), item->data(kNameRole).toString(),
                       item->checkState() == Qt::Checked, item->data(kStrengthRole).toDouble(),
                       item->data(kWarningRole).toString()});
    }
    return out;
}

QVector<LiveEditPanel::PresetLayer> LiveEditPanel::activeLayers() const
{
    QVector<PresetLayer> out;
    for (const PresetLayer& p : presets())
        if (p.on)
            out.push_back(p);
    return out;
}

void LiveEditPanel::setPresetLayer(const QString& path, bool on, double strength)
{
    for (int i = 0; i < m_presets->count(); ++i) {
        QListWidgetItem* item = m_presets->item(i);
        if (item->data(kPathRole).toString() != path)
            continue;
        m_quiet = true;
        item->setData(kStrengthRole, strength);
        m_quiet = false;
        m_presets->setCurrentItem(item);
        const bool wasOn = item->checkState() == Qt::Checked;
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked); // a change of state announces itself
        if (wasOn == on) {
            showLayerText(item);
            Q_EMIT layersChanged();
        }
        layerSelected();
    }
}

void LiveEditPanel::layerSelected()
{
    QListWidgetItem* item = m_presets->currentItem();
    m_layerStrength->setEnabled(item != nullptr);
    m_export->setEnabled(item != nullptr);
    m_delete->setEnabled(item != nullptr);
    if (item) {
        m_quiet = true;
        m_layerStrength->setValue(item->data(kStrengthRole).toDouble());
        m_quiet = false;
    }
}

void LiveEditPanel::showLayerText(QListWidgetItem* item)
{
    const bool wasQuiet = m_quiet;
    m_quiet = true;
    item->setText(
        tr("%1  ×%2").arg(item->data(kNameRole).toString()).arg(item->data(kStrengthRole).toDouble(), 0, 'g', 3));
    m_quiet = wasQuiet;
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_LiveEditPanel.cpp"
