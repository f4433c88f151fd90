#include "ui/jobs/EditController.h"

#include <limits>

namespace pae::ui {

EditController::EditController(QObject* parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("edit-worker"));
    m_worker = new EditWorker;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

    connect(m_worker, &EditWorker::started, this, [this](quint64 id) {
        if (id == m_current)
            Q_EMIT started();
    });
    connect(m_worker, &EditWorker::progress, this, [this](quint64 id, const pae::EditProgress& p) {
        if (id == m_current)
            Q_EMIT progress(p);
    });
    connect(m_worker, &EditWorker::preview, this, [this](quint64 id, int step, const QVector<QImage>& frames) {
        m_worker->previewConsumed();
        if (id == m_current)
            Q_EMIT preview(step, frames);
    });
    auto done = [this](quint64 id) {
        if (id != m_current)
            return false;
        m_busy = false;
        Q_EMIT busyChanged(false);
        return true;
    };
    connect(m_worker, &EditWorker::finished, this, [this, done](quint64 id, const EditOutcome& outcome) {
        if (done(id))
            Q_EMIT finished(outcome);
    });
    connect(m_worker, &EditWorker::failed, this, [this, done](quint64 id, const QString& message) {
        if (done(id))
            Q_EMIT failed(message);
    });
    m_thread.start();
}

EditController::~EditController()
{
    m_worker->cancelUpTo(std::numeric_limits<quint64>::max());
    m_thread.quit();
    m_thread.wait();
}

quint64 EditController::start(std::shared_ptr<const pae::ModelSet> models, const pae::EditRequest& request)
{
    if (m_current)
        m_worker->cancelUpTo(m_current);
    const quint64 id = m_nextId++;
    m_current = id;
    m_worker->setPending(id, std::move(models), request);
    QMetaObject::invokeMethod(m_worker, &EditWorker::runPending, Qt::QueuedConnection);
    if (!m_busy) {
        m_busy = true;
        Q_EMIT busyChanged(true);
    }
    return id;
}

void EditController::cancel()
{
    if (m_current)
        m_worker->cancelUpTo(m_current);
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_EditController.cpp"
