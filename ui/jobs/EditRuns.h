#pragma once
// The edit lifecycle: builds the request from the panels (prompt, corpus, strength, the λ
// list), runs it on the EditController's thread, streams its previews to the canvas and the
// comparison, and puts the results into the history — or drops them when the face was
// replaced while the job ran. Keeps the last finished run for tile clicks and the exports.
#include "ui/jobs/EditWorker.h"
#include "ui/session/LastRun.h"
#include "ui/window/Studio.h"

#include <QObject>

#include <vector>

namespace pae::ui {

class EditController;
class FaceController;
class LiveEditController;

class EditRuns : public QObject {
    Q_OBJECT
public:
    EditRuns(Studio studio, FaceController* faces, LiveEditController* live, QObject* parent = nullptr);

    // Each returns false after showing why nothing started.
    bool runEdit();
    bool runSweep(const std::vector<float>& lambdas);
    // The one ticked preset applied to the face, then a short optimization of its prompt.
    bool refinePreset();
    bool isBusy() const;
    // Stops the running edit; false when none runs.
    bool cancel();
    // A tile of the comparison: while a sweep runs, the canvas follows its previews; after,
    // its result becomes the current face (replacing the one picked from the same run).
    void chooseSweepResult(int index);

    // The face was replaced: the running job's result no longer applies. `clearResults` also
    // lets go of the last run and its tiles (they belong to the old face).
    void forget(bool clearResults);
    const LastRun& lastRun() const { return m_lastRun; }
    // A restored session's comparison: it gets a fresh sweep id (ids are per run of the
    // studio) that the caller gives the history entries picked from it.
    quint64 restoreComparison(LastRun run);

Q_SIGNALS:
    void started();
    void previewShown(int step);
    // A result went into the history (the autosave follows).
    void resultAdded();
    void finished();
    void failed(const QString& message);
    void busyChanged(bool busy);

private:
    bool canStart();
    bool startJob(const std::vector<float>& lambdas, bool sweep);
    void launch(pae::EditRequest request, bool sweep, const QString& corpus, const QString& note);
    void onProgress(const pae::EditProgress& progress);
    void onPreview(int step, const QVector<QImage>& frames);
    void onFinished(const EditOutcome& outcome);
    void onFailed(const QString& message);
    QVector<HistoryEntry> entriesOf(const EditOutcome& outcome, quint64 sweepId) const;

    Studio m_studio;
    FaceController* m_faces = nullptr;
    LiveEditController* m_live = nullptr;
    EditController* m_editor = nullptr;
    LastRun m_lastRun;
    quint64 m_nextSweepId = 1;
    bool m_sweepRunning = false;
    // The job in flight: its request (to label its history entries) and its face.
    pae::EditRequest m_runningRequest;
    pae::Latent m_runningSource;
    QString m_runningCorpus;
    QString m_runningLabelSuffix; // ", refined" for a preset refined on the face
    quint64 m_generation = 0;     // bumped by forget()
    quint64 m_runningGeneration = 0;
};

} // namespace pae::ui
