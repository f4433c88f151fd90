#include "ui/jobs/EditWorker.h"

#include "ui/canvas/ImageConversion.h"

#include "core/util/error.h"
#include "core/util/log.h"

#include <QElapsedTimer>

#include <exception>

namespace pae::ui {

namespace {
// Progress is cheap but arrives every step; more than ~25 updates a second only floods the
// GUI's event queue.
constexpr qint64 kProgressIntervalMs = 40;
// Frames waiting in the GUI's queue beyond this are skipped (they are still recorded for
// the animation export).
constexpr int kMaxPreviewsInFlight = 2;
} // namespace

EditWorker::EditWorker()
{
    qRegisterMetaType<pae::EditProgress>();
    qRegisterMetaType<pae::ui::EditOutcome>();
}

void EditWorker::setPending(quint64 jobId, std::shared_ptr<const pae::ModelSet> models, const pae::EditRequest& request)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_pendingId = jobId;
    m_pendingModels = std::move(models);
    m_pendingRequest = request;
}

void EditWorker::cancelUpTo(quint64 jobId)
{
    quint64 seen = m_cancelUpTo.load();
    while (seen < jobId && !m_cancelUpTo.compare_exchange_weak(seen, jobId)) {}
}

void EditWorker::previewConsumed()
{
    if (m_previewsInFlight.load() > 0)
        --m_previewsInFlight;
}

void EditWorker::runPending()
{
    quint64 id = 0;
    std::shared_ptr<const pae::ModelSet> models;
    pae::EditRequest request;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_pendingId == 0)
            return;
        id = m_pendingId;
        models = std::move(m_pendingModels);
        request = m_pendingRequest;
        m_pendingId = 0;
        m_pendingModels.reset();
    }
    m_previewsInFlight = 0;
    Q_EMIT started(id);

    EditOutcome outcome;
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    pae::EditCallbacks callbacks;
    callbacks.cancelRequested = [this, id] { return m_cancelUpTo.load() >= id; };
    callbacks.progress = [&](const pae::EditProgress& p) {
        if (p.step >= p.steps || sinceProgress.elapsed() >= kProgressIntervalMs) {
            sinceProgress.restart();
            Q_EMIT progress(id, p);
        }
    };
    callbacks.preview = [&](int step, const std::vector<pae::ImageRGB>& frames) {
        QVector<QImage> images;
        for (const pae::ImageRGB& f : frames)
            images << toQImage(f);
        if (outcome.previewFrames.size() < images.size())
            outcome.previewFrames.resize(images.size());
        for (int i = 0; i < images.size(); ++i)
            outcome.previewFrames[i] << images[i];
        outcome.previewSteps << step;
        if (m_previewsInFlight.load() < kMaxPreviewsInFlight) {
            ++m_previewsInFlight;
            Q_EMIT preview(id, step, images);
        }
    };

    try {
        pae::EditJob job(models);
        outcome.result = job.run(request, callbacks);
        for (const pae::ImageRGB& image : outcome.result.images) {
            outcome.images << toQImage(image);
            outcome.thumbnails << historyThumbnail(outcome.images.back());
        }
        Q_EMIT finished(id, outcome);
    } catch (const std::exception& e) {
        // pae::Error and c10::Error both land here; the message is meant for the user.
        pae::log::error("edit job {} failed: {}", id, e.what());
        Q_EMIT failed(id, QString::fromUtf8(e.what()));
    } catch (...) {
        pae::log::error("edit job {} failed with an unknown exception", id);
        Q_EMIT failed(id, tr("The edit failed with an unknown error."));
    }
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_EditWorker.cpp"
