#pragma once
// Instant edits, without a new optimization: the strength of the edit on screen
// (w0 + α·Δw, Δw = w* − w0, as the user drags) and presets — saved Δw's applied to the face
// on screen, one or several at once as layers with their own strengths (w0 + Σ αᵢ·Δwᵢ).
// Widgets only: LiveEditController renders and records what is asked here.
#include <QWidget>

class QCheckBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace pae::ui {

class SliderSpinBox;

class LiveEditPanel : public QWidget {
    Q_OBJECT
public:
    explicit LiveEditPanel(QWidget* parent = nullptr);

    // The strength slider works on an edit: off (with the reason) when the face on screen is none.
    void setEditAvailable(bool available, const QString& what);
    double strength() const;
    // Without signals: a new edit on screen starts at its own result (α = 1).
    void resetStrength();
    SliderSpinBox* strengthControl() const { return m_strength; }

    // Presets ---------------------------------------------------------------------------
    struct PresetLayer {
        QString path;
        QString name;
        bool on = false;
        double strength = 1.0;
        QString warning; // why it may not do here what it did (made with another generator)
    };
    void setPresets(const QVector<PresetLayer>& presets); // keeps the layers' state by path
    QVector<PresetLayer> presets() const;
    // The layers switched on, with their strengths.
    QVector<PresetLayer> activeLayers() const;
    void setPresetLayer(const QString& path, bool on, double strength);
    QListWidget* presetList() const { return m_presets; }

Q_SIGNALS:
    // α while dragging (final false) and on release or a typed value (final true).
    void strengthChanged(double alpha, bool final);
    void applyStrengthRequested(double alpha);
    void savePresetRequested();
    void layersChanged();
    void applyLayersRequested();
    // Refine the one ticked preset on the face on screen (a short optimization from it).
    void refineRequested();
    void importPresetRequested();
    void exportPresetRequested(const QString& path);
    void deletePresetRequested(const QString& path);

private:
    void layerSelected();
    void showLayerText(QListWidgetItem* item);
    void updateLayerButtons();

    SliderSpinBox* m_strength = nullptr;
    QLabel* m_what = nullptr;
    QPushButton* m_applyStrength = nullptr;
    QPushButton* m_savePreset = nullptr;
    QListWidget* m_presets = nullptr;
    SliderSpinBox* m_layerStrength = nullptr;
    QPushButton* m_applyLayers = nullptr;
    QPushButton* m_refine = nullptr;
    QPushButton* m_import = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_delete = nullptr;
    bool m_quiet = false;
};

} // namespace pae::ui
