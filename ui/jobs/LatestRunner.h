#pragma once
// "The newest request wins", written once for the studio's background work (prompt
// analysis, model loading): tasks run one at a time on a thread of their own; a task asked
// for while another runs waits, and a newer one replaces it before it starts; what a task
// delivers reaches the GUI thread only when nothing newer was asked for since it started.
// So a slow answer can never overwrite the one the user asked for after it.
#include <QObject>
#include <QString>

#include <functional>

class QThread;

namespace pae::ui {

class LatestRunner : public QObject {
    Q_OBJECT
public:
    using Deliver = std::function<void()>; // runs on the GUI thread, only for the newest task
    using Work = std::function<Deliver()>; // runs on the runner's thread; must not throw

    explicit LatestRunner(const QString& threadName, QObject* parent = nullptr);
    // Waits for the running task: its thread holds a reference to this object.
    ~LatestRunner() override;

    // Returns the task's number; every task asked for before it is now stale.
    quint64 run(Work work);
    // Makes every task so far stale (a running one finishes, undelivered).
    void cancel();
    // A task is running or waiting.
    bool isBusy() const { return m_thread != nullptr; }

Q_SIGNALS:
    // The runner has nothing left to run (after the newest task was delivered or dropped).
    void idle();

private:
    void launch(quint64 id, Work work);
    void finish(quint64 id, const Deliver& deliver);

    QString m_threadName;
    QThread* m_thread = nullptr;
    Work m_next;
    quint64 m_nextId = 0;
    quint64 m_latest = 0;
};

} // namespace pae::ui
