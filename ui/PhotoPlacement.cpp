#include "ui/PhotoPlacement.h"

#include "core/edit/paste_back.h"
#include "ui/ImageConversion.h"

namespace pae::ui {

QImage composeInPhoto(const PhotoPlacement& placement, const QImage& face)
{
    if (face.isNull() || face.width() != face.height() || placement.photo.empty())
        return face;
    QImage out = toQImage(pae::pasteBack(placement.photo, placement.landmarks, placement.quad, toImageRGB(face)).image);
    if (placement.colorSpace.isValid())
        out.setColorSpace(placement.colorSpace);
    return out;
}

} // namespace pae::ui
