#pragma once
// Loads a ModelSet on a background thread (loading real CLIP and StyleGAN2 weights takes
// seconds) and reports back on the GUI thread. A newer load supersedes an older one: only
// the latest request's result is reported.
#include "core/edit/model_set.h"

#include <QObject>
#include <QVector>

#include <memory>

class QThread;

namespace pae::ui {

class ModelLoader : public QObject {
    Q_OBJECT
public:
    explicit ModelLoader(QObject* parent = nullptr);
    // Waits for loads still running: their threads hold references to this object.
    ~ModelLoader() override;

    void load(const pae::ModelPaths& paths);
    bool isLoading() const { return m_loading; }

Q_SIGNALS:
    void loaded(std::shared_ptr<pae::ModelSet> models);
    void failed(const QString& message);

private:
    QVector<QThread*> m_threads;
    quint64 m_latest = 0;
    bool m_loading = false;
};

} // namespace pae::ui
