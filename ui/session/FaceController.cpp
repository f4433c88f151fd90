#include "ui/session/FaceController.h"

#include "ui/canvas/ImageCanvas.h"
#include "ui/canvas/ImageConversion.h"
#include "ui/dialogs/FileDialogs.h"
#include "ui/jobs/EditRuns.h"
#include "ui/panels/FaceSourcePanel.h"
#include "ui/photo/PhotoFaces.h"
#include "ui/photo/PhotoPlacement.h"
#include "ui/session/Document.h"
#include "ui/session/EditHistory.h"

#include "core/face/alignment.h"
#include "core/util/log.h"

#include <QFileInfo>
#include <QImageReader>
#include <QInputDialog>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>

namespace pae::ui {

FaceController::FaceController(Studio studio, QObject* parent)
    : QObject(parent), m_studio(std::move(studio)), m_renderer(new FaceRenderer(this)),
      m_photoFaces(std::make_unique<PhotoFaces>())
{
    connect(m_renderer, &FaceRenderer::rendered, this, &FaceController::onRendered);
    connect(m_renderer, &FaceRenderer::failed, this, &FaceController::onFailed);
    connect(m_renderer, &FaceRenderer::inverting, this, [this](quint64 id, int step, int steps, float psnr) {
        if (id != m_pending.id)
            return;
        const QString text = tr("Inverting %1: step %2 of %3, %4 dB")
                                 .arg(QFileInfo(m_pending.path).fileName())
                                 .arg(step)
                                 .arg(steps)
                                 .arg(double(psnr), 0, 'f', 1);
        m_pending.status = text; // onRendered clears the message it still shows
        m_studio.status(text, 0);
    });
    connect(m_studio.w.canvas, &ImageCanvas::markClicked, this, [this](int face) { editFaceInPhoto(face); });
}

FaceController::~FaceController() = default;

bool FaceController::showSeed(quint64 seed)
{
    if (!m_studio.models()) {
        m_studio.reportError(tr("No models"), tr("The models are not loaded yet."));
        return false;
    }
    if (!m_studio.confirmReplace(tr("The face of seed %1").arg(seed))) {
        // The seed box (Another face sets it first) goes back to the face on screen.
        if (!m_studio.history->isEmpty() && m_studio.history->at(0).kind == HistoryEntry::Kind::Seed)
            m_studio.w.source->setSeed(m_studio.history->at(0).seed);
        return false;
    }
    FaceRequest r;
    r.kind = FaceRequest::Kind::Seed;
    r.seed = seed;
    PendingFace pending;
    pending.seed = seed;
    pending.status = tr("Making the face of seed %1…").arg(seed);
    m_studio.w.source->setSeed(seed);
    request(std::move(r), std::move(pending));
    return true;
}

bool FaceController::openLatent(const QString& path)
{
    if (!m_studio.models()) {
        m_studio.reportError(tr("No models"), tr("The models are not loaded yet."));
        return false;
    }
    if (!m_studio.confirmReplace(tr("The latent %1").arg(QFileInfo(path).fileName())))
        return false;
    FileDialogs::remember(FileDialogs::Kind::Face, path);
    FaceRequest r;
    r.kind = FaceRequest::Kind::LatentFile;
    r.path = QFileInfo(path).absoluteFilePath();
    PendingFace pending;
    pending.path = r.path;
    pending.status = tr("Opening %1…").arg(QFileInfo(path).fileName());
    request(std::move(r), std::move(pending));
    return true;
}

bool FaceController::openImage(const QString& path, int face)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull()) {
        m_studio.reportError(tr("Cannot open image"), tr("%1: %2").arg(path, reader.errorString()));
        return false;
    }
    const std::shared_ptr<pae::ModelSet> models = m_studio.models();
    if (!models) {
        m_studio.reportError(tr("No models"),
                             tr("%1: the models are not loaded yet, and a photo is inverted with them.").arg(path));
        return false;
    }
    if (!m_studio.confirmReplace(tr("The photo %1").arg(QFileInfo(path).fileName())))
        return false;
    const pae::ModelInfo info = models->info();
    bool cartoon = false;
    FileDialogs::remember(FileDialogs::Kind::Face, path);
    // A picture the size of the world's own faces is most likely one of them (an export);
    // anything else is a photo, which the cartoon world cannot draw: say so before the
    // inversion is spent on it.
    const bool samePhoto = m_placement && QFileInfo(m_placement->path) == QFileInfo(path);
    if (info.builtin && image.size() != QSize(info.resolution, info.resolution) && !samePhoto) {
        QMessageBox box(QMessageBox::Information, tr("The built-in models draw cartoons"),
                        tr("The built-in SynthFace models draw small cartoon faces (%1×%1); they cannot draw a photo. "
                           "%2 (%3×%4) would come back as the closest cartoon they can draw, not as the person in it.")
                            .arg(info.resolution)
                            .arg(QFileInfo(path).fileName())
                            .arg(image.width())
                            .arg(image.height()),
                        QMessageBox::Cancel, m_studio.window);
        box.setInformativeText(tr("Load real CLIP and StyleGAN2 models (Settings › Models…) to edit photos. "
                                  "Invert anyway to see what the built-in world makes of it."));
        QPushButton* anyway = box.addButton(tr("Invert anyway"), QMessageBox::AcceptRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        if (box.clickedButton() != anyway) {
            m_studio.status(tr("%1 not opened.").arg(QFileInfo(path).fileName()), 5000);
            return false;
        }
        cartoon = true;
    }
    requestPhotoFace(path, image.convertToFormat(QImage::Format_RGB888), face, m_align || face > 0, cartoon, nullptr);
    return true;
}

void FaceController::requestLatents(std::vector<pae::Latent> latents, const QString& path,
                                    std::function<void(const FaceResult&)> onRendered)
{
    FaceRequest r;
    r.kind = FaceRequest::Kind::Latents;
    r.latents = std::move(latents);
    PendingFace pending;
    pending.path = path;
    pending.onLatents = std::move(onRendered);
    pending.status = tr("Opening %1…").arg(QFileInfo(path).fileName());
    request(std::move(r), std::move(pending));
}

void FaceController::request(FaceRequest r, PendingFace pending)
{
    Q_EMIT faceRequested();
    pending.kind = r.kind;
    pending.id = m_renderer->request(m_studio.models(), std::move(r));
    m_studio.status(pending.status, 0);
    m_pending = std::move(pending);
    m_studio.updateActions();
}

bool FaceController::isInverting() const { return m_renderer->isBusy() && m_pending.kind == FaceRequest::Kind::Photo; }

bool FaceController::cancelInversion()
{
    if (!isInverting())
        return false;
    const QString name = QFileInfo(m_pending.path).fileName();
    m_renderer->cancel(); // the inversion stops within a step and reports nothing
    m_pending = {};
    showCurrentEntry(); // back to the face the photo was to replace, when there is one
    m_studio.status(tr("Inversion of %1 cancelled.").arg(name), 5000);
    pae::log::info("inversion of {} cancelled", name.toStdString());
    m_studio.updateActions();
    return true;
}

HistoryEntry FaceController::entryFor(const PendingFace& pending, const FaceResult& result)
{
    HistoryEntry e;
    if (pending.kind == FaceRequest::Kind::Seed) {
        e.kind = HistoryEntry::Kind::Seed;
        e.seed = pending.seed;
        e.label = tr("Seed %1").arg(pending.seed);
    } else if (pending.kind == FaceRequest::Kind::Photo) {
        e.kind = HistoryEntry::Kind::Photo;
        e.sourceFile = pending.path;
        const QString face = result.placement && result.placement->facesFound > 1
                                 ? tr(", face %1").arg(result.placement->face)
                                 : QString();
        e.label = tr("%1 (%2inverted%3, %4 dB)")
                      .arg(QFileInfo(pending.path).fileName() + face, pending.aligned ? tr("aligned, ") : QString(),
                           pending.cartoon ? tr(" into the cartoon world") : QString())
                      .arg(double(result.psnr), 0, 'f', 1);
        m_studio.w.source->addRecentFile(pending.path);
    } else {
        e.kind = HistoryEntry::Kind::LatentFile;
        e.sourceFile = pending.path;
        e.label = QFileInfo(pending.path).fileName();
        m_studio.w.source->addRecentFile(pending.path);
    }
    e.latent = result.latents.front();
    e.image = result.images.front();
    e.thumbnail = result.thumbnails.value(0);
    e.placement = result.placement;
    return e;
}

void FaceController::onRendered(quint64 id, const FaceResult& result)
{
    if (id != m_pending.id)
        return;
    PendingFace pending = std::move(m_pending);
    m_pending = {};
    if (m_studio.currentStatus() == pending.status)
        m_studio.status(QString(), 0);
    if (pending.kind == FaceRequest::Kind::Latents) {
        pending.onLatents(result);
    } else {
        HistoryEntry e = entryFor(pending, result);
        const bool switching = pending.switchFrom && result.placement;
        if (switching) {
            // Found in the very pixels of the photo the other faces sit in: the same file.
            auto placement = std::make_shared<PhotoPlacement>(*result.placement);
            placement->sha256 = pending.switchFrom->sha256;
            placement->colorSpace = pending.switchFrom->colorSpace;
            e.placement = placement;
            keepCurrentFace();
        }
        adoptFace(e, switching);
        setPlacement(e.placement);
        if (pending.kind == FaceRequest::Kind::Photo)
            reportInversion(pending, result);
        if (!result.warning.isEmpty()) {
            pae::log::warn("{}", result.warning.toStdString());
            m_studio.status(result.warning, 20000);
        }
    }
    m_studio.updateActions();
    Q_EMIT faceShown();
}

void FaceController::reportInversion(const PendingFace& pending, const FaceResult& result)
{
    // Which path the photo took (encoder or optimization only) and what it cost.
    const QString path = result.encoded ? tr(" by the encoder in %1 s, then %2 refinement steps (%3 s in all)")
                                              .arg(result.encodeSeconds, 0, 'f', 1)
                                              .arg(result.inversionSteps)
                                              .arg(result.inversionSeconds, 0, 'f', 1)
                                        : tr(" by %1 optimization steps in %2 s")
                                              .arg(result.inversionSteps)
                                              .arg(result.inversionSeconds, 0, 'f', 1);
    const QString how =
        tr("%1 %2inverted%5: its latent draws it at %3 dB PSNR%4.")
            .arg(QFileInfo(pending.path).fileName(),
                 !pending.aligned        ? QString()
                 : result.facesFound > 1 ? tr("aligned (the largest of the %1 faces found) and ").arg(result.facesFound)
                                         : tr("aligned and "))
            .arg(double(result.psnr), 0, 'f', 1)
            .arg(result.cropped ? tr(" (it is not square: its centre square was used)") : QString())
            .arg(path);
    pae::log::info("{}", how.toStdString());
    m_studio.status(how, 8000);
}

void FaceController::onFailed(quint64 id, const QString& message)
{
    if (id != m_pending.id)
        return;
    const FaceRequest::Kind kind = m_pending.kind;
    m_pending = {};
    if (kind == FaceRequest::Kind::Photo)
        showCurrentEntry(); // back to the face the photo was to replace, when there is one
    // reportError puts the message in the status bar.
    m_studio.updateActions();
    m_studio.reportError(kind == FaceRequest::Kind::Seed         ? tr("Cannot make a face")
                         : kind == FaceRequest::Kind::LatentFile ? tr("Cannot open the latent")
                         : kind == FaceRequest::Kind::Photo      ? tr("Cannot invert the photo")
                                                                 : tr("Cannot open the session"),
                         message);
    Q_EMIT faceFailed(message);
}

void FaceController::forgetRuns(bool clearResults)
{
    if (m_runs)
        m_runs->forget(clearResults);
}

void FaceController::setReferenceMode(bool on)
{
    m_referenceMode = on;
    m_studio.w.source->setReferenceNotice(on);
}

void FaceController::adoptFace(const HistoryEntry& source, bool switchingFace)
{
    // Tiles and frames of the last run belong to the old face: a click on one must not put an
    // edit of another face into this history.
    forgetRuns(true);
    if (!switchingFace)
        m_photoFaces->clear(); // other work: the last photo's faces go with its face
    setPlacement(nullptr);     // the photo face's own comes after
    setReferenceMode(false);
    m_studio.history->reset(source);
    m_studio.w.canvas->setImage(source.image);
    // A photo's inverted face is work (an inversion can take minutes); a seed's is not.
    // Another face of the same photo is more of the same work, saved in the same file.
    if (switchingFace)
        m_studio.doc->markDirty();
    else
        m_studio.doc->startNew(QString(), source.kind == HistoryEntry::Kind::Photo);
    m_studio.updateActions();
}

void FaceController::clear()
{
    m_studio.history->clear();
    m_photoFaces->clear();
}

void FaceController::requestPhotoFace(const QString& path, const QImage& photo, int face, bool align, bool cartoon,
                                      std::shared_ptr<const PhotoPlacement> switchFrom)
{
    forgetRuns(false); // a running edit's previews would paint over the photo
    setReferenceMode(true);
    ImageCanvas* canvas = m_studio.w.canvas;
    canvas->setComposer({}); // the photo as it is, not pasted into the last one
    canvas->setMarks({});
    canvas->setImage(photo);
    canvas->setBeforeImage(QImage());
    FaceRequest r;
    r.kind = FaceRequest::Kind::Photo;
    r.path = QFileInfo(path).absoluteFilePath();
    r.photo = photo;
    r.align = align;
    r.face = face;
    PendingFace pending;
    pending.path = r.path;
    pending.aligned = r.align;
    pending.cartoon = cartoon;
    pending.switchFrom = std::move(switchFrom);
    pending.status =
        (r.align ? tr("Aligning and inverting %1 (%2×%3): finding its face, then the latent that draws it…")
                 : tr("Inverting %1 (%2×%3): finding the latent that draws it…"))
            .arg(QFileInfo(path).fileName() + (face > 0 ? tr(", face %1").arg(face) : QString()))
            .arg(photo.width())
            .arg(photo.height());
    request(std::move(r), std::move(pending));
}

void FaceController::showCurrentEntry()
{
    EditHistory* history = m_studio.history;
    if (history->isEmpty())
        return;
    const HistoryEntry& e = history->current();
    if (m_referenceMode) {
        setReferenceMode(false);
        updateComposer();
        m_studio.w.canvas->setImage(e.image);
    } else {
        m_studio.w.canvas->setFrame(e.image);
    }
    m_studio.w.canvas->setBeforeImage(history->at(0).image);
    QString text = tr("<b>Current face:</b> %1").arg(e.label.toHtmlEscaped());
    if (history->currentIndex() > 0)
        text += tr("<br>started from %1, %2 edit(s)")
                    .arg(history->at(0).label.toHtmlEscaped())
                    .arg(history->currentIndex());
    m_studio.w.source->setSourceDescription(text);
    m_studio.updateActions();
}

void FaceController::restoreCanvas()
{
    if (!m_referenceMode)
        showCurrentEntry();
}

// Photos ------------------------------------------------------------------------------------

void FaceController::setPlacement(std::shared_ptr<const PhotoPlacement> placement)
{
    m_placement = std::move(placement);
    updateComposer();
    Q_EMIT placementChanged();
}

QImage FaceController::inPhoto(const QImage& face, std::string* logLine) const
{
    if (!m_placement || !m_showInPhoto)
        return QImage();
    *logLine = std::to_string(1 + m_photoFaces->editedCount()) + " face(s) pasted back into " +
               m_placement->path.toStdString();
    return composeInPhoto(*m_placement, face, m_photoFaces->backdrop().get());
}

void FaceController::setShowInPhoto(bool on)
{
    m_showInPhoto = on;
    updateComposer();
}

void FaceController::setMarkFaces(bool on)
{
    m_markFaces = on;
    updateMarks();
}

void FaceController::setAlignPhotos(bool on) { m_align = on && pae::FaceAligner::available(); }

void FaceController::chooseFaceInPhoto()
{
    if (!m_placement || m_placement->facesFound < 2)
        return;
    const std::shared_ptr<const PhotoPlacement> placement = m_placement;
    QStringList items;
    for (size_t k = 0; k < placement->faceBoxes.size(); ++k) {
        const auto& b = placement->faceBoxes[k];
        QString state;
        if (int(k) == placement->face)
            state = tr(", being edited");
        else if (const PhotoFaces::Face* kept = m_photoFaces->find(int(k)))
            state = kept->work.current > 0 ? tr(", %n edit(s)", nullptr, kept->work.current) : tr(", inverted");
        items << tr("Face %1%2: %3×%4 pixels at (%5, %6)%7")
                     .arg(k)
                     .arg(k == 0 ? tr(" (the largest)") : QString())
                     .arg(b[2])
                     .arg(b[3])
                     .arg(b[0])
                     .arg(b[1])
                     .arg(state);
    }
    bool ok = false;
    const QString chosen = QInputDialog::getItem(
        m_studio.window, tr("Another face in %1").arg(QFileInfo(placement->path).fileName()),
        tr("Face %1 is being edited now. Which face next? Each face keeps its own history, and all edited faces "
           "are pasted back into the photo.")
            .arg(placement->face),
        items, int((placement->face + 1) % items.size()), false, &ok);
    if (ok && m_placement == placement)
        editFaceInPhoto(int(items.indexOf(chosen)));
}

bool FaceController::editFaceInPhoto(int face)
{
    EditHistory* history = m_studio.history;
    if (!m_placement || history->isEmpty()) {
        m_studio.reportError(tr("Another face"), tr("The current face is not taken from a photo."));
        return false;
    }
    const std::shared_ptr<const PhotoPlacement> from = m_placement;
    const QString name = QFileInfo(from->path).fileName();
    if (face < 0 || face >= from->facesFound) {
        m_studio.reportError(tr("Another face"),
                             tr("%1: face %2 asked for, but %3 faces were found (faces are numbered from 0, "
                                "the largest first)")
                                 .arg(name)
                                 .arg(face)
                                 .arg(from->facesFound));
        return false;
    }
    if (face == from->face)
        return true; // already the one edited
    if ((m_runs && m_runs->isBusy()) || isBusy() || (m_readingSession && m_readingSession())) {
        m_studio.reportError(
            tr("Another face"),
            tr("Face %1 of %2 is still being worked on; wait for it to finish or cancel it (Esc) first.")
                .arg(from->face)
                .arg(name));
        return false;
    }
    if (std::optional<PhotoFaces::Face> back = m_photoFaces->take(face)) {
        // Edited before: back at once, with its history.
        keepCurrentFace();
        adoptFace(back->work.entries.first(), true);
        history->restore(back->work.entries, back->work.current);
        setPlacement(back->placement);
        m_studio.w.canvas->setImage(history->current().image);
        m_studio.w.canvas->setBeforeImage(history->at(0).image);
        m_studio.updateActions();
        m_studio.status(tr("Editing face %1 of %2 again (%n edit(s)); face %3 is kept.", nullptr, back->work.current)
                            .arg(face)
                            .arg(name)
                            .arg(from->face),
                        5000);
        pae::log::info("editing face {} of {} again; face {} kept", face, name.toStdString(), from->face);
        return true;
    }
    const pae::ModelInfo info = m_studio.models()->info();
    const QImage photo = [&] {
        QImage image = toQImage(from->photo);
        image.setColorSpace(from->colorSpace);
        return image;
    }();
    const bool cartoon = info.builtin && photo.size() != QSize(info.resolution, info.resolution);
    requestPhotoFace(from->path, photo, face, true, cartoon, from);
    return true;
}

void FaceController::keepCurrentFace()
{
    if (!m_placement || m_studio.history->isEmpty())
        return;
    PhotoFaces::Face kept;
    kept.work.entries = m_studio.history->entries();
    kept.work.current = m_studio.history->currentIndex();
    kept.placement = m_placement;
    m_photoFaces->keep(m_placement->face, std::move(kept));
}

void FaceController::updateComposer()
{
    if (m_referenceMode)
        return; // a photo waiting for its inversion is shown as it is
    ImageCanvas* canvas = m_studio.w.canvas;
    if (m_placement && m_showInPhoto)
        canvas->setComposer([composer = std::make_shared<PhotoComposer>(m_placement, m_photoFaces->backdrop())](
                                const QImage& face) { return composer->compose(face); });
    else if (canvas->hasComposer())
        canvas->setComposer({});
    updateMarks();
}

void FaceController::updateMarks()
{
    QVector<ImageCanvas::Mark> marks;
    if (m_placement && m_showInPhoto && !m_referenceMode && m_markFaces && m_placement->facesFound > 1) {
        for (size_t k = 0; k < m_placement->faceBoxes.size(); ++k) {
            const auto& b = m_placement->faceBoxes[k];
            ImageCanvas::Mark mark;
            mark.box = QRectF(b[0], b[1], b[2], b[3]);
            mark.current = int(k) == m_placement->face;
            const PhotoFaces::Face* kept = m_photoFaces->find(int(k));
            mark.label = mark.current             ? tr("Face %1 · editing").arg(k)
                         : !kept                  ? tr("Face %1").arg(k)
                         : kept->work.current > 0 ? tr("Face %1 · %n edit(s)", nullptr, kept->work.current).arg(k)
                                                  : tr("Face %1 · inverted").arg(k);
            marks << mark;
        }
    }
    m_studio.w.canvas->setMarks(marks);
}

} // namespace pae::ui

#include "moc_FaceController.cpp"
