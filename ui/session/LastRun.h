#pragma once
// The last finished edit or λ sweep, kept for tile clicks and the exports that read it
// (animation, λ interpolation).
#include "core/edit/types.h"
#include "ui/jobs/EditWorker.h"
#include "ui/session/HistoryEntry.h"

#include <QVector>

namespace pae::ui {

struct LastRun {
    quint64 sweepId = 0;
    QVector<HistoryEntry> entries;
    EditOutcome outcome;
    pae::Latent source; // the face it started from
};

} // namespace pae::ui
