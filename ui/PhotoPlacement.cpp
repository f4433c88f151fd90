#include "ui/PhotoPlacement.h"

#include "core/edit/paste_back.h"
#include "ui/ImageConversion.h"

namespace pae::ui {

QImage composeInPhoto(const PhotoPlacement& placement, const QImage& face, const pae::ImageRGB* backdrop)
{
    // A placement read from a session carries no pixels until its photo is read again.
    if (face.isNull() || face.width() != face.height() || placement.photo.empty() ||
        placement.photo.pixels.size() != size_t(placement.photo.width) * size_t(placement.photo.height) * 3)
        return face;
    const bool fits = backdrop && backdrop->width == placement.photo.width && backdrop->height == placement.photo.height;
    const pae::ImageRGB& photo = fits ? *backdrop : placement.photo;
    QImage out = toQImage(pae::pasteBack(photo, placement.landmarks, placement.quad, toImageRGB(face)).image);
    if (placement.colorSpace.isValid())
        out.setColorSpace(placement.colorSpace);
    return out;
}

} // namespace pae::ui
