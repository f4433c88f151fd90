#pragma once
// One state of the face: the source (a seed, a latent file or an inverted photo) or the result of an edit,
// with what it took to get there.
#include "core/edit/edit_request.h"
#include "ui/photo/PhotoPlacement.h"

#include <QDateTime>
#include <QImage>
#include <QString>

#include <memory>

namespace pae::ui {

struct HistoryEntry {
    enum class Kind { Seed, LatentFile, Photo, Edit };
    Kind kind = Kind::Edit;
    QString label;
    quint64 seed = 0;   // Kind::Seed
    QString sourceFile; // Kind::LatentFile, Kind::Photo
    // Kind::Photo, aligned: where the face sits in the photo. Saved in sessions without the
    // photo's pixels (read again from `path` when the session opens, checked by its hash).
    std::shared_ptr<const PhotoPlacement> placement;
    QString prompt; // Kind::Edit
    QString corpus;
    pae::EditRequest settings; // its source latent is left empty: the previous entry holds it
    float lambda = 0;
    bool hasMetrics = false;
    pae::EditMetrics metrics;
    quint64 sweepId = 0; // results chosen from one sweep share it
    pae::Latent latent;
    QImage image;
    QImage thumbnail; // the history list's icon, made off the GUI thread with the image
    QDateTime created = QDateTime::currentDateTime();
};

} // namespace pae::ui
