#pragma once
// Loads a ModelSet on a background thread (loading real CLIP and StyleGAN2 weights takes
// seconds) and reports back on the GUI thread. The newest load wins (LatestRunner): loads
// run one at a time, and only the newest one's result is reported.
#include "core/edit/model_set.h"

#include <QObject>

#include <memory>

namespace pae::ui {

class LatestRunner;

class ModelLoader : public QObject {
    Q_OBJECT
public:
    explicit ModelLoader(QObject* parent = nullptr);
    ~ModelLoader() override;

    void load(const pae::ModelPaths& paths);
    bool isLoading() const;

Q_SIGNALS:
    void loaded(std::shared_ptr<pae::ModelSet> models);
    void failed(const QString& message);

private:
    LatestRunner* m_runner = nullptr;
};

} // namespace pae::ui
