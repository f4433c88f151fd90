#pragma once
// Choosing the models: a CLIP folder and a StyleGAN2 file, or the built-in SynthFace world;
// optionally an identity network (ArcFace) and an encoder (e4e).
// Every change is validated on the spot by actually loading the models in the background;
// the loader's message appears in the dialog, and OK accepts only a set that loaded.
#include "core/edit/model_set.h"

#include <QDialog>

#include <memory>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace pae::ui {

class ModelLoader;

class ModelsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ModelsDialog(const pae::ModelPaths& current, QWidget* parent = nullptr);

    pae::ModelPaths paths() const;
    void setPaths(const pae::ModelPaths& paths);
    // The set that passed validation for the current fields; null until one did.
    std::shared_ptr<pae::ModelSet> models() const { return m_models; }
    QString statusText() const;
    bool isValidating() const;
    bool isAcceptable() const;

    static pae::ModelPaths savedPaths();
    static void savePaths(const pae::ModelPaths& paths);

public Q_SLOTS:
    void validate();
    void accept() override;

private:
    void fieldsChanged();
    void showStatus(const QString& text, bool error);

    QCheckBox* m_builtin = nullptr;
    QLineEdit* m_clip = nullptr;
    QLineEdit* m_generator = nullptr;
    QPushButton* m_browseClip = nullptr;
    QPushButton* m_browseGenerator = nullptr;
    QLineEdit* m_identity = nullptr;
    QLineEdit* m_encoder = nullptr;
    QComboBox* m_device = nullptr;
    QSpinBox* m_threads = nullptr;
    QLabel* m_status = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QTimer* m_debounce = nullptr;
    ModelLoader* m_loader = nullptr;
    std::shared_ptr<pae::ModelSet> m_models;
};

} // namespace pae::ui
