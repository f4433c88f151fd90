#include "ui/ModelLoader.h"

#include "core/util/log.h"

#include <QPointer>
#include <QThread>

#include <exception>

namespace pae::ui {

ModelLoader::ModelLoader(QObject* parent) : QObject(parent) {}

ModelLoader::~ModelLoader()
{
    for (QThread* t : m_threads) {
        t->wait();
        delete t;
    }
}

void ModelLoader::load(const pae::ModelPaths& paths)
{
    const quint64 id = ++m_latest;
    m_loading = true;
    QThread* thread = QThread::create([this, id, paths] {
        std::shared_ptr<pae::ModelSet> models;
        QString error;
        try {
            models = pae::ModelSet::load(paths);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        } catch (...) {
            error = tr("Loading the models failed with an unknown error.");
        }
        QMetaObject::invokeMethod(
            this,
            [this, id, models, error] {
                if (id != m_latest)
                    return;
                m_loading = false;
                if (models) {
                    Q_EMIT loaded(models);
                } else {
                    pae::log::warn("model load failed: {}", error.toStdString());
                    Q_EMIT failed(error);
                }
            },
            Qt::QueuedConnection);
    });
    thread->setObjectName(QStringLiteral("model-loader"));
    connect(thread, &QThread::finished, this, [this, thread] {
        m_threads.removeAll(thread);
        thread->deleteLater();
    });
    m_threads << thread;
    thread->start();
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_ModelLoader.cpp"
