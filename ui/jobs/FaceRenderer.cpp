#include "ui/jobs/FaceRenderer.h"

#include "ui/canvas/ImageConversion.h"

#include "core/edit/inversion.h"
#include "core/edit/photo.h"
#include "core/face/alignment.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <QCryptographicHash>
#include <QFile>

#include <exception>
#include <limits>
#include <optional>

namespace pae::ui {

FaceRenderer::FaceRenderer(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<pae::ui::FaceResult>();
    m_thread.setObjectName(QStringLiteral("face-renderer"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
}

FaceRenderer::~FaceRenderer()
{
    m_latest = std::numeric_limits<quint64>::max();
    m_thread.quit();
    m_thread.wait();
}

void FaceRenderer::cancel()
{
    ++m_latest;
    m_waitingFor = 0;
}

quint64 FaceRenderer::request(std::shared_ptr<const pae::ModelSet> models, FaceRequest request)
{
    const quint64 id = ++m_latest;
    m_waitingFor = id;
    QMetaObject::invokeMethod(
        m_context,
        [this, id, models = std::move(models), request = std::move(request)] {
            auto stale = [this, id] { return m_latest.load() != id; };
            if (stale())
                return;
            std::optional<FaceResult> result;
            QString error;
            try {
                FaceResult r;
                switch (request.kind) {
                case FaceRequest::Kind::Seed:
                    r.latents.push_back(models->latentFromSeed(request.seed));
                    break;
                case FaceRequest::Kind::LatentFile: {
                    std::string warning;
                    r.latents.push_back(models->loadLatent(request.path.toStdString(), &warning));
                    r.warning = QString::fromStdString(warning);
                    break;
                }
                case FaceRequest::Kind::Latents:
                    r.latents = request.latents;
                    break;
                case FaceRequest::Kind::Photo: {
                    pae::InversionRequest inversion;
                    inversion.previewEvery = 0;
                    pae::InversionCallbacks callbacks;
                    callbacks.cancelRequested = stale;
                    callbacks.progress = [this, id](const pae::InversionProgress& p) {
                        if (p.step % 10 != 0 && p.step != p.steps)
                            return;
                        QMetaObject::invokeMethod(
                            this,
                            [this, id, p] {
                                if (id == m_waitingFor)
                                    Q_EMIT inverting(id, p.step, p.steps, p.psnr);
                            },
                            Qt::QueuedConnection);
                    };
                    const pae::ImageRGB photo = toImageRGB(request.photo);
                    pae::InversionResult inverted;
                    if (request.align) {
                        if (!m_aligner)
                            m_aligner = std::make_unique<pae::FaceAligner>();
                        // The one photo pipeline (core/edit/photo.h): face N, its size checked, inverted.
                        pae::PhotoInversion found = pae::invertPhoto(models, *m_aligner, photo, request.face, inversion,
                                                                     callbacks, request.path.toStdString());
                        inverted = std::move(found.inversion);
                        r.facesFound = found.face.facesFound;
                        auto placement = std::make_shared<PhotoPlacement>();
                        placement->path = request.path;
                        QFile file(request.path);
                        if (file.open(QIODevice::ReadOnly))
                            placement->sha256 =
                                QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
                        placement->photo = photo;
                        placement->colorSpace = request.photo.colorSpace();
                        placement->landmarks = found.face.landmarks;
                        placement->quad = found.face.quad;
                        placement->cropSize = found.face.image.width;
                        placement->face = found.face.index;
                        placement->facesFound = found.face.facesFound;
                        placement->faceBoxes = found.face.boxes;
                        r.placement = std::move(placement);
                    } else {
                        inversion.image = photo;
                        inverted = pae::InversionJob(models).run(inversion, callbacks);
                    }
                    if (inverted.cancelled)
                        return; // a newer request came
                    if (!inverted.stopReason.empty())
                        throw pae::Error(request.path.toStdString() + ": the inversion failed: " + inverted.stopReason);
                    r.latents.push_back(inverted.latent);
                    r.images << toQImage(inverted.image);
                    r.psnr = inverted.psnr;
                    r.cropped = inverted.cropped;
                    r.encoded = inverted.encoded;
                    r.encodeSeconds = inverted.encodeSeconds;
                    r.inversionSteps = inverted.stepsRun;
                    r.inversionSeconds = inverted.seconds;
                    break;
                }
                }
                for (size_t i = size_t(r.images.size()); i < r.latents.size(); ++i) {
                    if (stale())
                        return;
                    r.images << toQImage(request.previewSize > 0
                                             ? models->renderPreview(r.latents[i], request.previewSize)
                                             : models->render(r.latents[i]));
                }
                for (const QImage& image : r.images)
                    r.thumbnails << historyThumbnail(image);
                result = std::move(r);
            } catch (const std::exception& e) {
                // pae::Error and c10::Error alike: the message is meant for the user.
                error = QString::fromUtf8(e.what());
            } catch (...) {
                error = tr("Making the face failed with an unknown error.");
            }
            if (stale())
                return;
            // Queued to this object: if the renderer is gone by then, the call is dropped.
            QMetaObject::invokeMethod(
                this,
                [this, id, result = std::move(result), error] {
                    if (id != m_waitingFor)
                        return;
                    m_waitingFor = 0;
                    if (result) {
                        Q_EMIT rendered(id, *result);
                    } else {
                        pae::log::warn("face {}: {}", id, error.toStdString());
                        Q_EMIT failed(id, error);
                    }
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
    return id;
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_FaceRenderer.cpp"
