#pragma once
// Makes faces off the GUI thread: a seed through the mapping network, a latent file, the
// latents of a saved session, each rendered at full resolution (seconds for a real
// StyleGAN2 on a CPU), or a photo inverted into a latent (GAN inversion, InversionJob). Requests run one at a time, in
// order, on the renderer's own thread. A newer request makes every older one stale: a stale request is skipped, or
// abandoned between two renders, and never reported, so a slow render cannot overwrite the face the user asked for
// after it. Everything that comes back is a value copy on the GUI thread.
#include "core/edit/model_set.h"
#include "ui/photo/PhotoPlacement.h"

#include <QImage>
#include <QObject>
#include <QThread>
#include <QVector>

#include <atomic>
#include <memory>

namespace pae {
class FaceAligner;
}
#include <vector>

namespace pae::ui {

struct FaceRequest {
    enum class Kind { Seed, LatentFile, Latents, Photo };
    Kind kind = Kind::Seed;
    quint64 seed = 0;                 // Kind::Seed
    QString path;                     // Kind::LatentFile; Kind::Photo: where the photo came from
    QImage photo;                     // Kind::Photo: inverted with the inversion's defaults
    bool align = false;               // Kind::Photo: find the face and crop it the FFHQ way first
    int face = 0;                     // Kind::Photo with align: which face, 0 the largest
    std::vector<pae::Latent> latents; // Kind::Latents: rendered in this order
    int previewSize = 0;              // Kind::Latents: > 0 renders quicker, smaller images (ModelSet::renderPreview)
};

struct FaceResult {
    std::vector<pae::Latent> latents; // one per face: the seed's or the file's, or the given ones
    QVector<QImage> images;           // full resolution, one per latent
    QVector<QImage> thumbnails;       // historyThumbnail() of each image
    float psnr = 0;                   // Kind::Photo: how close the latent's image is to the photo (dB)
    bool cropped = false;             // Kind::Photo: the photo was not square; its centre was used
    bool encoded = false;             // Kind::Photo: an encoder gave the start
    double encodeSeconds = 0;         // Kind::Photo: the encoder's time, when encoded
    int inversionSteps = 0;           // Kind::Photo: optimization steps run
    double inversionSeconds = 0;      // Kind::Photo: the whole inversion (encoder included)
    int facesFound = 0;               // Kind::Photo with align: faces in the photo
    // Kind::Photo with align: where the face sits in the photo, to paste edits back.
    std::shared_ptr<const PhotoPlacement> placement;
    // Kind::LatentFile: the file records another generator's weights (the face may not be the
    // one saved); empty otherwise.
    QString warning;
};

class FaceRenderer : public QObject {
    Q_OBJECT
public:
    explicit FaceRenderer(QObject* parent = nullptr);
    // Abandons what is queued and waits for the render in progress.
    ~FaceRenderer() override;

    // Returns the request's id; `rendered` or `failed` carries it back unless a newer
    // request (or cancel()) came first.
    quint64 request(std::shared_ptr<const pae::ModelSet> models, FaceRequest request);
    // Makes every request so far stale.
    void cancel();
    // True from request() until the newest request is answered or cancelled.
    bool isBusy() const { return m_waitingFor != 0; }

Q_SIGNALS:
    void rendered(quint64 id, const pae::ui::FaceResult& result);
    void failed(quint64 id, const QString& message);
    // Kind::Photo: every 10 steps of the inversion, and its last.
    void inverting(quint64 id, int step, int steps, float psnr);

private:
    QThread m_thread;
    std::unique_ptr<pae::FaceAligner> m_aligner; // made on m_thread by the first photo to align
    QObject* m_context = nullptr;                // lives on m_thread: requests run as calls queued to it
    std::atomic<quint64> m_latest{0};
    quint64 m_waitingFor = 0;
};

} // namespace pae::ui

Q_DECLARE_METATYPE(pae::ui::FaceResult)
