#pragma once
// Runs edit jobs off the GUI thread (Qt's Mandelbrot "renderthread" pattern, as a QObject
// moved to a QThread): the request is copied in under a mutex, the job polls an atomic
// cancel mark every step, and everything that comes out — progress, frames, the result,
// errors — is a value copy sent over queued signals. The worker never touches a widget.
#include "core/edit/edit_job.h"

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QVector>

#include <atomic>
#include <memory>
#include <mutex>

namespace pae::ui {

struct EditOutcome {
    pae::EditResult result;
    QVector<QImage> images;                 // result.images as QImages
    QVector<QImage> thumbnails;             // historyThumbnail() of each image
    QVector<QVector<QImage>> previewFrames; // [λ][k]: every preview of the run, for animations
    QVector<int> previewSteps;              // the step of each preview k
};

class EditWorker : public QObject {
    Q_OBJECT
public:
    EditWorker();

    // Called from the GUI thread: stores the job to run next, replacing one not yet started.
    void setPending(quint64 jobId, std::shared_ptr<const pae::ModelSet> models, const pae::EditRequest& request);
    // Thread-safe: every job with an id ≤ jobId stops at its next step.
    void cancelUpTo(quint64 jobId);
    // GUI thread: a preview was shown; lets the worker skip frames while the GUI is behind.
    void previewConsumed();

public Q_SLOTS:
    void runPending();

Q_SIGNALS:
    void started(quint64 jobId);
    void progress(quint64 jobId, const pae::EditProgress& progress);
    void preview(quint64 jobId, int step, const QVector<QImage>& frames);
    void finished(quint64 jobId, const pae::ui::EditOutcome& outcome);
    void failed(quint64 jobId, const QString& message);

private:
    std::mutex m_mutex;
    quint64 m_pendingId = 0;
    std::shared_ptr<const pae::ModelSet> m_pendingModels;
    pae::EditRequest m_pendingRequest;
    std::atomic<quint64> m_cancelUpTo{0};
    std::atomic<int> m_previewsInFlight{0};
};

} // namespace pae::ui

Q_DECLARE_METATYPE(pae::EditProgress)
Q_DECLARE_METATYPE(pae::ui::EditOutcome)
