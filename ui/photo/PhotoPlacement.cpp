#include "ui/photo/PhotoPlacement.h"

#include "ui/canvas/ImageConversion.h"

#include "core/face/paste_back.h"
#include "core/util/log.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QObject>

namespace pae::ui {

namespace {
bool hasPixels(const PhotoPlacement& p)
{
    // A placement read from a session carries no pixels until its photo is read again.
    return p.photo.isValid();
}

const pae::ImageRGB& baseOf(const PhotoPlacement& placement, const pae::ImageRGB* backdrop)
{
    const bool fits =
        backdrop && backdrop->width == placement.photo.width && backdrop->height == placement.photo.height;
    return fits ? *backdrop : placement.photo;
}

QImage baseImage(const PhotoPlacement& placement, const pae::ImageRGB* backdrop)
{
    QImage base = toQImage(baseOf(placement, backdrop));
    if (placement.colorSpace.isValid())
        base.setColorSpace(placement.colorSpace);
    return base;
}

// `base` with `face` blended in: one copy of the picture, then the plan's region.
QImage pasteOnto(const QImage& base, const pae::PastePlan& plan, const QImage& face)
{
    QImage out = base;
    uchar* bits = out.bits(); // detaches: the copy
    plan.pasteInto(toImageRGB(face), bits, size_t(out.bytesPerLine()));
    return out;
}
} // namespace

QImage composeInPhoto(const PhotoPlacement& placement, const QImage& face, const pae::ImageRGB* backdrop)
{
    if (face.isNull() || face.width() != face.height() || !hasPixels(placement))
        return face;
    const pae::ImageRGB& base = baseOf(placement, backdrop);
    const pae::PastePlan plan(base, placement.landmarks, placement.quad, face.width());
    return pasteOnto(baseImage(placement, backdrop), plan, face);
}

PhotoComposer::PhotoComposer(std::shared_ptr<const PhotoPlacement> placement,
                             std::shared_ptr<const pae::ImageRGB> backdrop)
    : m_placement(std::move(placement))
{
    if (m_placement && hasPixels(*m_placement))
        m_base = baseImage(*m_placement, backdrop.get());
}

QImage PhotoComposer::compose(const QImage& face) const
{
    if (face.isNull() || face.width() != face.height() || m_base.isNull())
        return face;
    std::shared_ptr<const pae::PastePlan>& plan = m_plans[face.width()];
    if (!plan) // planned on the base itself: its colours are what the face meets
        plan = std::make_shared<const pae::PastePlan>(toImageRGB(m_base), m_placement->landmarks, m_placement->quad,
                                                      face.width());
    return pasteOnto(m_base, *plan, face);
}

std::shared_ptr<const PhotoPlacement> reattachPhoto(const PhotoPlacement& saved, QString& problem)
{
    const QString name = QFileInfo(saved.path).fileName();
    const auto alone = [&](const QString& why) -> std::shared_ptr<const PhotoPlacement> {
        problem = QObject::tr("The photo %1 %2; the face is shown alone, not in its photo.").arg(saved.path, why);
        pae::log::warn("{}", problem.toStdString());
        return nullptr;
    };
    QFile file(saved.path);
    if (!file.open(QIODevice::ReadOnly))
        return alone(QObject::tr("is no longer there"));
    const QByteArray bytes = file.readAll();
    if (!saved.sha256.isEmpty() && QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex() != saved.sha256)
        return alone(QObject::tr("has changed since the face was taken from it"));
    QBuffer buffer;
    buffer.setData(bytes);
    QImageReader reader(&buffer);
    reader.setAutoTransform(true);
    const QImage image = reader.read();
    if (image.isNull())
        return alone(QObject::tr("cannot be read (%1)").arg(reader.errorString()));
    if (image.width() != saved.photo.width || image.height() != saved.photo.height)
        return alone(QObject::tr("is %1×%2, not %3×%4 as when the face was taken from it")
                         .arg(image.width())
                         .arg(image.height())
                         .arg(saved.photo.width)
                         .arg(saved.photo.height));
    auto placement = std::make_shared<PhotoPlacement>(saved);
    placement->photo = toImageRGB(image.convertToFormat(QImage::Format_RGB888));
    placement->colorSpace = image.colorSpace();
    pae::log::info("the face is shown in its photo {} again", name.toStdString());
    return placement;
}

} // namespace pae::ui
