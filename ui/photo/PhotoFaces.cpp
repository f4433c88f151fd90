#include "ui/photo/PhotoFaces.h"

#include "core/face/paste_back.h"
#include "ui/canvas/ImageConversion.h"

namespace pae::ui {

namespace {
bool hasPixels(const PhotoPlacement* p) { return p && p->photo.isValid(); }

bool isEdited(const PhotoFaces::Face& f) { return f.work.current > 0 && f.work.current < f.work.entries.size(); }
} // namespace

void PhotoFaces::keep(int number, Face face)
{
    m_faces[number] = std::move(face);
    m_backdropValid = false;
}

std::optional<PhotoFaces::Face> PhotoFaces::take(int number)
{
    const auto it = m_faces.find(number);
    if (it == m_faces.end())
        return std::nullopt;
    Face face = std::move(it->second);
    m_faces.erase(it);
    m_backdropValid = false;
    return face;
}

const PhotoFaces::Face* PhotoFaces::find(int number) const
{
    const auto it = m_faces.find(number);
    return it == m_faces.end() ? nullptr : &it->second;
}

void PhotoFaces::clear()
{
    m_faces.clear();
    m_backdrop.reset();
    m_backdropValid = false;
}

int PhotoFaces::editedCount() const
{
    int n = 0;
    for (const auto& [number, face] : m_faces)
        n += isEdited(face) ? 1 : 0;
    return n;
}

QVector<FaceWork> PhotoFaces::work() const
{
    QVector<FaceWork> out;
    for (const auto& [number, face] : m_faces)
        out.append(face.work);
    return out;
}

std::shared_ptr<const pae::ImageRGB> PhotoFaces::backdrop() const
{
    if (m_backdropValid)
        return m_backdrop;
    m_backdropValid = true;
    m_backdrop.reset();
    std::shared_ptr<pae::ImageRGB> photo;
    for (const auto& [number, face] : m_faces) {
        if (!isEdited(face) || !hasPixels(face.placement.get()))
            continue;
        const QImage& image = face.work.entries[face.work.current].image;
        if (image.isNull() || image.width() != image.height())
            continue;
        const PhotoPlacement& p = *face.placement;
        if (!photo)
            photo = std::make_shared<pae::ImageRGB>(p.photo);
        else if (photo->width != p.photo.width || photo->height != p.photo.height)
            continue; // not the same photo: never pasted into another
        *photo = pae::pasteBack(*photo, p.landmarks, p.quad, toImageRGB(image)).image;
    }
    m_backdrop = std::move(photo);
    return m_backdrop;
}

} // namespace pae::ui
