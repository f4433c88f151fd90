#pragma once
// The GUI-side owner of the edit thread: starts jobs, cancels them, and passes on only the
// signals of the job that is current, so a late frame from a cancelled job never lands on
// the canvas. Destroying it cancels the job and waits for the thread.
#include "ui/jobs/EditWorker.h"

#include <QObject>
#include <QThread>

namespace pae::ui {

class EditController : public QObject {
    Q_OBJECT
public:
    explicit EditController(QObject* parent = nullptr);
    ~EditController() override;

    // Cancels a running job (if any) and queues this one. Returns its id.
    quint64 start(std::shared_ptr<const pae::ModelSet> models, const pae::EditRequest& request);
    // True from start() until the current job's finished or failed signal.
    bool isBusy() const { return m_busy; }
    quint64 currentJob() const { return m_current; }

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void started();
    void progress(const pae::EditProgress& progress);
    void preview(int step, const QVector<QImage>& frames);
    void finished(const pae::ui::EditOutcome& outcome);
    void failed(const QString& message);
    void busyChanged(bool busy);

private:
    QThread m_thread;
    EditWorker* m_worker = nullptr; // lives on m_thread; deleted when it finishes
    quint64 m_nextId = 1;
    quint64 m_current = 0; // the job whose signals are passed on
    bool m_busy = false;
};

} // namespace pae::ui
