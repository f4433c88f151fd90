#include "ui/jobs/LatestRunner.h"

#include <QThread>

#include <utility>

namespace pae::ui {

LatestRunner::LatestRunner(const QString& threadName, QObject* parent) : QObject(parent), m_threadName(threadName) {}

LatestRunner::~LatestRunner()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

quint64 LatestRunner::run(Work work)
{
    const quint64 id = ++m_latest;
    if (m_thread) { // one at a time: this one waits, replacing any that waited before it
        m_next = std::move(work);
        m_nextId = id;
        return id;
    }
    launch(id, std::move(work));
    return id;
}

void LatestRunner::cancel()
{
    ++m_latest;
    m_next = nullptr;
}

void LatestRunner::launch(quint64 id, Work work)
{
    m_thread = QThread::create([this, id, work = std::move(work)] {
        const Deliver deliver = work();
        QMetaObject::invokeMethod(
            this, [this, id, deliver] { finish(id, deliver); }, Qt::QueuedConnection);
    });
    m_thread->setObjectName(m_threadName);
    m_thread->start();
}

void LatestRunner::finish(quint64 id, const Deliver& deliver)
{
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    if (m_next) { // a newer task waits: this answer is already stale
        Work next = std::move(m_next);
        m_next = nullptr;
        launch(m_nextId, std::move(next));
        return;
    }
    if (id == m_latest && deliver)
        deliver();
    if (!m_thread) // deliver() may have asked for more
        Q_EMIT idle();
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_LatestRunner.cpp"
