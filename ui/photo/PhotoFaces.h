#pragma once
// The faces of one photo that wait while another of its faces is edited: each keeps its own
// history, and every edited face goes back into the one photo (the canvas's photo view and
// Export image paste them all).
#include "ui/photo/PhotoPlacement.h"
#include "ui/session/Session.h"

#include <map>
#include <memory>
#include <optional>

namespace pae::ui {

class PhotoFaces {
public:
    struct Face {
        FaceWork work;
        // Where it sits, with the photo's pixels; null when the photo could not be read again
        // (a session reopened without it): the work is kept, but it cannot be pasted back.
        std::shared_ptr<const PhotoPlacement> placement;
    };

    // Keeps `face` under its face number (the photo's largest first, from 0), replacing a
    // face kept under the same number.
    void keep(int number, Face face);
    // The face kept under `number`, no longer kept; none when there is none.
    std::optional<Face> take(int number);
    const Face* find(int number) const;
    void clear();
    bool isEmpty() const { return m_faces.empty(); }
    int count() const { return int(m_faces.size()); }
    // Faces whose current entry is an edit (those pasted into the backdrop).
    int editedCount() const;
    // Every face kept, by face number: what a session saves.
    QVector<FaceWork> work() const;
    // The photo with every kept face whose current entry is an edit pasted back in face-number
    // order (a face nobody edited stays the photo's own pixels); null when none is edited.
    // Computed once per change.
    std::shared_ptr<const pae::ImageRGB> backdrop() const;

private:
    std::map<int, Face> m_faces;
    mutable std::shared_ptr<const pae::ImageRGB> m_backdrop;
    mutable bool m_backdropValid = false;
};

} // namespace pae::ui
