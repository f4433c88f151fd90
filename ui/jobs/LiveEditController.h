#pragma once
// Drives the LiveEditPanel: renders the edit on screen at the strength asked for, and the
// face on screen with the ticked preset layers, off the GUI thread (its own FaceRenderer:
// newest request wins, stale renders are dropped), small while dragging and full size on
// release; records what the user applies as history steps; keeps the presets folder.
#include "ui/jobs/FaceRenderer.h"
#include "ui/panels/LiveEditPanel.h"

#include "core/edit/preset.h"

#include <QObject>

#include <map>
#include <memory>

namespace pae {
class ModelSet;
}

namespace pae::ui {

class EditHistory;

class LiveEditController : public QObject {
    Q_OBJECT
public:
    LiveEditController(EditHistory* history, LiveEditPanel* panel, QObject* parent = nullptr);

    void setModels(std::shared_ptr<const pae::ModelSet> models);
    // Where presets live: <XDG data dir>/PAE Studio/presets.
    static QString presetsFolder();
    void reloadPresets();
    // Saves the edit on screen (its Δw against the face before it) as `name` in the
    // presets folder; returns the file. Throws pae::Error.
    QString saveCurrentAsPreset(const QString& name);
    // Copies a .preset file (checked first) into the presets folder; returns the copy.
    QString importPreset(const QString& path);
    void exportPreset(const QString& presetPath, const QString& target);
    void removePreset(const QString& path);
    // The edit that refines the one ticked preset on the face on screen, at its layer
    // strength, for `steps` steps. Throws pae::Error unless exactly one preset is ticked.
    pae::EditRequest refineRequest(int steps);

    // The preview size while dragging (the generator's output of at most this size).
    static constexpr int dragPreviewSize = 256;
    bool isRendering() const { return m_renderer->isBusy(); }

Q_SIGNALS:
    // A render for the canvas: the edit at the asked strength, or the face with its layers.
    void frameReady(const QImage& image, double alpha, bool final);
    // A history step was added ("a happy face (λ 8) ×1.4", "presets: …").
    void applied(const QString& label);
    void errorOccurred(const QString& title, const QString& message);

private:
    void historyMoved();
    void requestStrength(double alpha, bool final, bool apply);
    void requestLayers(bool apply);
    void onRendered(quint64 id, const FaceResult& result);
    const pae::EditPreset& preset(const QString& path);

    EditHistory* m_history;
    LiveEditPanel* m_panel;
    FaceRenderer* m_renderer;
    std::shared_ptr<const pae::ModelSet> m_models;
    std::map<QString, pae::EditPreset> m_cache; // presets read once
    struct Pending {
        quint64 id = 0;
        bool apply = false;
        bool final = false;
        double alpha = 1;
        int entry = -1; // the history entry it belongs to
        QString label;  // for apply
        pae::Latent latent;
    } m_pending;
};

} // namespace pae::ui
