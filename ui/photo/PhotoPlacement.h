#pragma once
// Where a face taken from a photo sits in it: the photo as opened, its content hash, the 68
// landmarks and the square the face was cut from. With it an edit of the face goes back into
// the photo (pae::pasteBack): the canvas's photo view and Export image use it.
#include "core/face/alignment.h"
#include "core/face/paste_back.h"

#include <QByteArray>
#include <QColorSpace>
#include <QImage>
#include <QString>

#include <map>
#include <memory>

namespace pae::ui {

struct PhotoPlacement {
    QString path;
    QByteArray sha256;      // of the file's bytes when it was opened (hex)
    pae::ImageRGB photo;    // as read (EXIF orientation applied)
    QColorSpace colorSpace; // the photo's ICC profile, when it has one: the composite carries it
    pae::FaceLandmarks landmarks;
    pae::FaceQuad quad;
    int cropSize = 0; // the aligned crop's side
    int face = 0;     // which face, 0 the largest
    int facesFound = 0;
    std::vector<std::array<int, 4>> faceBoxes; // every face found: left, top, width, height
};

// The photo with `face` (the face at any square size: a preview, the full image) pasted back,
// tagged with the photo's colour space (PNG and JPEG exports then embed its ICC profile).
// A picture that is not square is not a face of this photo: returned as it is.
// `backdrop`: the photo with other faces already pasted back (PhotoFaces::backdrop); null or
// of another size: the photo itself.
QImage composeInPhoto(const PhotoPlacement& placement, const QImage& face, const pae::ImageRGB* backdrop = nullptr);

// A saved placement (a session's) with its photo read again, EXIF orientation applied; null,
// with `problem` saying why in a sentence naming the file, when the photo is gone, changed
// (hash or size) or unreadable.
std::shared_ptr<const PhotoPlacement> reattachPhoto(const PhotoPlacement& saved, QString& problem);

// composeInPhoto for every frame of one face: the photo (or backdrop) converted once and a
// paste plan made once per face size, so a preview frame costs the face's region and one
// copy of the photo instead of the whole paste-back.
class PhotoComposer {
public:
    PhotoComposer(std::shared_ptr<const PhotoPlacement> placement, std::shared_ptr<const pae::ImageRGB> backdrop = {});
    QImage compose(const QImage& face) const; // GUI thread: it caches
private:
    std::shared_ptr<const PhotoPlacement> m_placement;
    QImage m_base; // the backdrop or the photo, RGB888, in the photo's colour space; null: no pixels
    mutable std::map<int, std::shared_ptr<const pae::PastePlan>> m_plans; // by the face's side
};

} // namespace pae::ui
