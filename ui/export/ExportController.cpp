#include "ui/export/ExportController.h"

#include "ui/SettingsKeys.h"
#include "ui/dialogs/FileDialogs.h"
#include "ui/export/Exporter.h"
#include "ui/jobs/BackgroundTask.h"
#include "ui/panels/ComparePanel.h"
#include "ui/session/EditHistory.h"

#include "core/edit/latent_path.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <QAction>
#include <QActionGroup>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QTemporaryFile>

#include <algorithm>
#include <filesystem>
#include <utility>

namespace pae::ui {

namespace {

// GIF and videos are one file the save dialog asked about; a PNG sequence is many.
bool isSingleFileAnimation(const QString& path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("gif"), Qt::CaseInsensitive) == 0 ||
           Exporter::isVideoPath(path);
}

QString animationFileFilter()
{
    const QString video = Exporter::videoFileFilter();
    return QObject::tr("Animated GIF (*.gif)") + (video.isEmpty() ? QString() : QStringLiteral(";;") + video) +
           QObject::tr(";;PNG frame sequence (*.png)");
}

void refuseExisting(const QString& path, bool overwrite)
{
    if (!overwrite && QFileInfo::exists(path))
        throw pae::Error(path.toStdString() + ": the file exists; not overwriting it without being asked to");
}

} // namespace

ExportController::ExportController(Sources sources, QObject* parent)
    : QObject(parent), m_sources(std::move(sources)), m_faces(new FaceRenderer(this))
{
    connect(m_faces, &FaceRenderer::rendered, this, &ExportController::writeInterpolation);
    connect(m_faces, &FaceRenderer::failed, this, [this](quint64 id, const QString& message) {
        if (id != m_pending.id)
            return;
        m_pending = {};
        Q_EMIT interpolatingChanged();
        Q_EMIT failed(tr("Cannot export the interpolation"), message);
    });
}

void ExportController::exportImage(const QString& path, bool overwrite)
{
    if (m_sources.history->isEmpty())
        throw pae::Error(path.toStdString() + ": there is no face to export");
    const QImage& face = m_sources.history->current().image;
    std::string logLine;
    const QImage photo = m_sources.inPhoto ? m_sources.inPhoto(face, &logLine) : QImage();
    if (!photo.isNull()) { // the whole photo at its own size, every edited face of it pasted back
        Exporter::writeImage(photo, path, overwrite);
        pae::log::info("exported image {} ({}×{}, {})", path.toStdString(), photo.width(), photo.height(), logLine);
        return;
    }
    const QImage image = Exporter::scaled(face, exportSize(), exportFilter());
    Exporter::writeImage(image, path, overwrite);
    pae::log::info("exported image {} ({}×{}, {})", path.toStdString(), image.width(), image.height(),
                   exportSize() > 0 ? exportFilter().toStdString() : std::string("native size"));
}

void ExportController::exportGrid(const QString& path, bool overwrite)
{
    const QImage grid = m_sources.compare->gridImage();
    if (grid.isNull())
        throw pae::Error(path.toStdString() + ": run a λ sweep first; there is no comparison to export");
    Exporter::writeImage(grid, path, overwrite);
    pae::log::info("exported comparison grid {}", path.toStdString());
}

void ExportController::exportLatent(const QString& path, bool overwrite)
{
    const std::shared_ptr<pae::ModelSet> models = m_sources.models();
    if (m_sources.history->isEmpty() || !models)
        throw pae::Error(path.toStdString() + ": there is no latent to export");
    refuseExisting(path, overwrite);
    // Written beside the target and renamed into place, so a failed write never leaves a
    // truncated latent where a good one was.
    const QFileInfo info(path);
    QTemporaryFile tmp(
        info.absoluteDir().filePath(QStringLiteral(".%1.XXXXXX.safetensors").arg(info.completeBaseName())));
    if (!tmp.open())
        throw pae::Error(path.toStdString() + ": cannot write in this folder: " + tmp.errorString().toStdString());
    tmp.close();
    models->saveLatent(m_sources.history->current().latent, tmp.fileName().toStdString());
    std::error_code ec;
    std::filesystem::rename(tmp.fileName().toStdString(), info.absoluteFilePath().toStdString(), ec);
    if (ec)
        throw pae::Error(path.toStdString() + ": cannot move the finished file into place: " + ec.message());
    tmp.setAutoRemove(false);
    pae::log::info("exported latent {}", path.toStdString());
}

void ExportController::exportAnimation(const QString& path, bool overwrite)
{
    const EditOutcome& outcome = m_sources.lastRun->outcome;
    const QVector<QVector<QImage>>& frames = outcome.previewFrames;
    if (frames.isEmpty())
        throw pae::Error(path.toStdString() + ": no edit has run yet; there are no frames to export");
    const ComparePanel* compare = m_sources.compare;
    const int index = std::clamp(compare->tileCount() ? compare->selectedTile() : 0, 0, int(frames.size()) - 1);
    QVector<QImage> sequence = frames[index];
    if (index < outcome.images.size()) {
        const QImage& result = outcome.images[index];
        sequence << result.scaled(sequence.isEmpty() ? result.size() : sequence.first().size(), Qt::KeepAspectRatio,
                                  Qt::SmoothTransformation);
    }
    refuseExisting(path, overwrite);
    // Encoding a GIF or video takes a while (a 200 ms stall for a short GIF of 64² frames):
    // off the GUI thread, reported when done.
    writeAnimationInBackground(sequence, path, overwrite, tr("Cannot export the animation"),
                               [this](const QString& written) { Q_EMIT animationExported(written); });
}

void ExportController::exportInterpolation(const QString& path, bool overwrite)
{
    const LastRun& run = *m_sources.lastRun;
    const std::shared_ptr<pae::ModelSet> models = m_sources.models();
    if (run.entries.isEmpty() || run.source.empty() || !models)
        throw pae::Error(path.toStdString() + ": no edit has run yet; there is nothing to interpolate");
    if (isInterpolating())
        throw pae::Error(path.toStdString() + ": the last interpolation is still being rendered");
    if (isSingleFileAnimation(path))
        refuseExisting(path, overwrite);
    QVector<HistoryEntry> results = run.entries;
    std::stable_sort(results.begin(), results.end(),
                     [](const HistoryEntry& a, const HistoryEntry& b) { return a.lambda < b.lambda; });
    std::vector<pae::Latent> stops{run.source};
    for (const HistoryEntry& e : results)
        stops.push_back(e.latent);
    FaceRequest request;
    request.kind = FaceRequest::Kind::Latents;
    request.latents = pae::latentPath(stops, interpolationStepsPerLambda);
    m_pending = {m_faces->request(models, std::move(request)), path, overwrite};
    Q_EMIT status(tr("Rendering the λ interpolation…"), 0);
    Q_EMIT interpolatingChanged();
}

void ExportController::writeInterpolation(quint64 id, const FaceResult& frames)
{
    if (id != m_pending.id)
        return;
    const Pending job = m_pending;
    m_pending = {};
    Q_EMIT interpolatingChanged();
    writeAnimationInBackground(frames.images, job.path, job.overwrite, tr("Cannot export the interpolation"),
                               [this, path = job.path](const QString&) { Q_EMIT interpolationExported(path); });
}

void ExportController::writeAnimationInBackground(const QVector<QImage>& frames, const QString& path, bool overwrite,
                                                  const QString& failure,
                                                  const std::function<void(const QString&)>& done)
{
    Q_EMIT status(tr("Writing %1…").arg(QFileInfo(path).fileName()), 0);
    runInBackground(
        this, [frames, path, overwrite] { return Exporter::writeAnimation(frames, path, 120, overwrite); },
        [this, path, frames, done](const QString& written) {
            pae::log::info("exported {} animation frames to {}", frames.size(), written.toStdString());
            Q_EMIT status(tr("Saved %1").arg(written), 5000);
            done(path);
        },
        [this, failure](const QString& message) { Q_EMIT failed(failure, message); });
}

int ExportController::exportSize() const
{
    for (QAction* a : m_sizeActions)
        if (a->isChecked())
            return a->data().toInt();
    return 0;
}

QString ExportController::exportFilter() const
{
    for (QAction* a : m_filterActions)
        if (a->isChecked())
            return a->data().toString();
    return QStringLiteral("lanczos");
}

void ExportController::setExportSize(int size, const QString& filter)
{
    for (QAction* a : m_sizeActions)
        a->setChecked(a->data().toInt() == size);
    for (QAction* a : m_filterActions)
        a->setChecked(a->data().toString() == filter);
    QSettings().setValue(settings::kExportSize, exportSize());
    QSettings().setValue(settings::kExportFilter, exportFilter());
}

void ExportController::addSizeMenu(QMenu* file)
{
    QMenu* sizeMenu = file->addMenu(tr("Export si&ze"));
    sizeMenu->setToolTipsVisible(true);
    auto* sizes = new QActionGroup(this);
    for (const auto& [size, text] :
         {std::pair{0, tr("&Native (the generator's size)")}, std::pair{256, tr("&256 px")},
          std::pair{512, tr("&512 px")}, std::pair{1024, tr("&1024 px")}, std::pair{2048, tr("&2048 px")}}) {
        QAction* a = sizeMenu->addAction(text);
        a->setCheckable(true);
        a->setData(size);
        a->setStatusTip(tr("Export image writes the face at this size (the longer side)"));
        sizes->addAction(a);
        m_sizeActions << a;
        connect(a, &QAction::triggered, this, [this, size = size] { setExportSize(size, exportFilter()); });
    }
    sizeMenu->addSeparator();
    auto* filters = new QActionGroup(this);
    for (const auto& [name, text] : {std::pair{QStringLiteral("nearest"), tr("Nearest (crisp pixels)")},
                                     std::pair{QStringLiteral("bicubic"), tr("Bicubic (smooth)")},
                                     std::pair{QStringLiteral("lanczos"), tr("Lanczos (smooth, sharper)")}}) {
        QAction* a = sizeMenu->addAction(text);
        a->setCheckable(true);
        a->setData(name);
        a->setStatusTip(tr("The filter that enlarges the face for Export image"));
        filters->addAction(a);
        m_filterActions << a;
        connect(a, &QAction::triggered, this, [this, name = name] { setExportSize(exportSize(), name); });
    }
    const QSettings s;
    setExportSize(s.value(settings::kExportSize, 0).toInt(),
                  s.value(settings::kExportFilter, QStringLiteral("lanczos")).toString());
}

void ExportController::runDialog(const QString& title, const QString& defaultName, const QString& filter,
                                 const QString& failure, const std::function<void(const QString&)>& write)
{
    const QString path = FileDialogs::saveFile(m_sources.window, FileDialogs::Kind::Export, title, defaultName, filter);
    if (path.isEmpty())
        return;
    try {
        write(path);
        Q_EMIT status(tr("Saved %1").arg(path), 5000);
    } catch (const std::exception& ex) {
        Q_EMIT failed(failure, QString::fromUtf8(ex.what()));
    }
}

void ExportController::exportImageDialog()
{
    // The dialog has asked about replacing the file, hence overwrite = true.
    runDialog(exportSize() > 0 ? tr("Export image (%1 px, %2)").arg(exportSize()).arg(exportFilter())
                               : tr("Export image"),
              QStringLiteral("face.png"), Exporter::imageFileFilter(), tr("Cannot export the image"),
              [this](const QString& path) { exportImage(path, true); });
}

void ExportController::exportGridDialog()
{
    runDialog(tr("Export comparison grid"), QStringLiteral("comparison.png"), Exporter::imageFileFilter(),
              tr("Cannot export the grid"), [this](const QString& path) { exportGrid(path, true); });
}

void ExportController::exportLatentDialog()
{
    runDialog(tr("Export latent"), QStringLiteral("face.safetensors"), tr("Latents (*.safetensors)"),
              tr("Cannot export the latent"), [this](const QString& path) { exportLatent(path, true); });
}

void ExportController::exportAnimationDialog()
{
    runDialog(tr("Export animation"), QStringLiteral("edit.gif"), animationFileFilter(),
              tr("Cannot export the animation"), [this](const QString& path) {
                  // The dialog asked about the one name it saw; the frames of a sequence get
                  // their own names, so refuse to overwrite those.
                  exportAnimation(path, isSingleFileAnimation(path));
              });
}

void ExportController::exportInterpolationDialog()
{
    // Not runDialog: the file is written once the faces are rendered, and writeInterpolation
    // says so then.
    const QString path =
        FileDialogs::saveFile(m_sources.window, FileDialogs::Kind::Export, tr("Export λ interpolation"),
                              QStringLiteral("interpolation.gif"), animationFileFilter());
    if (path.isEmpty())
        return;
    try {
        // The dialog asked about the GIF's name; a sequence's frames have names of their own.
        exportInterpolation(path, isSingleFileAnimation(path));
    } catch (const std::exception& ex) {
        Q_EMIT failed(tr("Cannot export the interpolation"), QString::fromUtf8(ex.what()));
    }
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_ExportController.cpp"
