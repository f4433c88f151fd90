#include "ui/export/Exporter.h"

#include "ui/canvas/ImageConversion.h"
#include "ui/export/GifEncoder.h"
#include "ui/session/AtomicWrite.h"

#include "core/io/media_export.h"

#include "core/util/error.h"

#include <QDir>
#include <QFileInfo>
#include <QImageWriter>
#include <QSaveFile>

#include <algorithm>

namespace pae::ui {

namespace {

std::string str(const QString& s) { return s.toStdString(); }

void refuseExisting(const QString& path, bool overwrite) { refuseExistingFile(path, overwrite); }

QByteArray formatFor(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jpg") || suffix == QLatin1String("jpeg"))
        return "jpeg";
    if (suffix == QLatin1String("png") || suffix == QLatin1String("webp") || suffix == QLatin1String("bmp"))
        return suffix.toLatin1();
    throw pae::Error(str(path) + ": unknown image type “." + str(suffix) + "”; use .png, .jpg or .webp");
}

} // namespace

void Exporter::writeImage(const QImage& image, const QString& path, bool overwrite, int quality)
{
    if (image.isNull())
        throw pae::Error(str(path) + ": there is no image to write");
    const QByteArray format = formatFor(path);
    if (!QImageWriter::supportedImageFormats().contains(format))
        throw pae::Error(str(path) + ": this Qt build cannot write " + format.toStdString() + " images");
    refuseExisting(path, overwrite);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw pae::Error(str(path) + ": cannot write: " + str(file.errorString()));
    QImageWriter writer(&file, format);
    // Qt 6.4's PNG writer maps "quality" 92 to zlib level 0, and any setCompression() value
    // also writes raw pixels (a 3 MB screenshot); left alone it uses zlib's default level.
    if (format != "png")
        writer.setQuality(quality);
    const QImage out = format == "jpeg" ? image.convertToFormat(QImage::Format_RGB888) : image;
    if (!writer.write(out)) {
        file.cancelWriting();
        throw pae::Error(str(path) + ": cannot encode the image: " + str(writer.errorString()));
    }
    if (!file.commit())
        throw pae::Error(str(path) + ": cannot finish writing: " + str(file.errorString()));
}

QStringList Exporter::writeFrameSequence(const QVector<QImage>& frames, const QString& dir, const QString& stem,
                                         bool overwrite)
{
    if (frames.isEmpty())
        throw pae::Error(str(dir) + ": there are no frames to write");
    QStringList paths;
    for (int i = 0; i < frames.size(); ++i)
        paths << QDir(dir).filePath(QStringLiteral("%1_%2.png").arg(stem).arg(i, 4, 10, QLatin1Char('0')));
    // Check all names first so a refusal never leaves half a sequence behind.
    for (const QString& p : paths)
        refuseExisting(p, overwrite);
    for (int i = 0; i < frames.size(); ++i)
        writeImage(frames[i], paths[i], overwrite);
    return paths;
}

void Exporter::writeGif(const QVector<QImage>& frames, const QString& path, int delayMs, bool overwrite)
{
    if (frames.isEmpty())
        throw pae::Error(str(path) + ": there are no frames to write");
    refuseExisting(path, overwrite);
    writeBytes(GifEncoder::encode(frames, delayMs), path, overwrite);
}

void Exporter::writeBytes(const QByteArray& bytes, const QString& path, bool overwrite)
{
    writeFileAtomically(bytes, path, overwrite);
}

bool Exporter::isVideoPath(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("mp4") || suffix == QLatin1String("webm");
}

void Exporter::writeVideo(const QVector<QImage>& frames, const QString& path, double fps, bool overwrite)
{
    refuseExisting(path, overwrite);
    std::vector<pae::ImageRGB> rgb;
    rgb.reserve(size_t(frames.size()));
    for (const QImage& f : frames)
        rgb.push_back(toImageRGB(f));
    pae::io::writeVideo(rgb, path.toStdString(), fps);
}

QString Exporter::videoFileFilter()
{
    // Asked once: probing opens an encoder.
    static const QString filter = [] {
        QStringList kinds;
        if (pae::io::canWriteVideo("probe.mp4"))
            kinds << QObject::tr("MP4 video (*.mp4)");
        if (pae::io::canWriteVideo("probe.webm"))
            kinds << QObject::tr("WebM video (*.webm)");
        return kinds.join(QStringLiteral(";;"));
    }();
    return filter;
}

QString Exporter::writeAnimation(const QVector<QImage>& frames, const QString& path, int delayMs, bool overwrite)
{
    const QFileInfo info(path);
    if (info.suffix().compare(QLatin1String("gif"), Qt::CaseInsensitive) == 0) {
        writeGif(frames, path, delayMs, overwrite);
        return path;
    }
    if (isVideoPath(path)) {
        writeVideo(frames, path, 1000.0 / std::max(1, delayMs), overwrite);
        return path;
    }
    const QStringList written = writeFrameSequence(frames, info.absolutePath(), info.completeBaseName(), overwrite);
    return QObject::tr("%1 frames %2 … %3")
        .arg(written.size())
        .arg(written.first(), QFileInfo(written.last()).fileName());
}

QImage Exporter::scaled(const QImage& image, int size, const QString& filter)
{
    if (size <= 0 || image.isNull() || (image.width() == size && image.height() == size))
        return image;
    const pae::io::ScaleFilter f = pae::io::parseScaleFilter(filter.toStdString());
    const int w = image.width() >= image.height() ? size : std::max(1, size * image.width() / image.height());
    const int h = image.height() >= image.width() ? size : std::max(1, size * image.height() / image.width());
    return toQImage(pae::io::scaleImage(toImageRGB(image), w, h, f));
}

QString Exporter::imageFileFilter()
{
    const QList<QByteArray> formats = QImageWriter::supportedImageFormats();
    QStringList filters{QObject::tr("PNG image (*.png)")};
    if (formats.contains("jpeg"))
        filters << QObject::tr("JPEG image (*.jpg *.jpeg)");
    if (formats.contains("webp"))
        filters << QObject::tr("WebP image (*.webp)");
    return filters.join(QStringLiteral(";;"));
}

} // namespace pae::ui
