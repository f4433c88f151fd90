#include "ui/jobs/EditRuns.h"

#include "ui/canvas/ImageCanvas.h"
#include "ui/jobs/EditController.h"
#include "ui/jobs/LiveEditController.h"
#include "ui/panels/ComparePanel.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/session/EditHistory.h"
#include "ui/session/FaceController.h"

#include "core/edit/model_set.h"
#include "core/util/log.h"

#include <QLabel>
#include <QProgressBar>

#include <algorithm>
#include <cmath>

namespace pae::ui {

namespace {

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QString();
    const int s = int(std::lround(seconds));
    return s >= 60 ? QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QObject::tr("%1 s").arg(s);
}

QString entryLabel(const QString& prompt, float lambda)
{
    return QObject::tr("%1 (λ %2)").arg(prompt).arg(double(lambda), 0, 'g', 4);
}

} // namespace

EditRuns::EditRuns(Studio studio, FaceController* faces, LiveEditController* live, QObject* parent)
    : QObject(parent), m_studio(std::move(studio)), m_faces(faces), m_live(live), m_editor(new EditController(this))
{
    connect(m_editor, &EditController::started, this, &EditRuns::started);
    connect(m_editor, &EditController::progress, this, &EditRuns::onProgress);
    connect(m_editor, &EditController::preview, this, &EditRuns::onPreview);
    connect(m_editor, &EditController::finished, this, &EditRuns::onFinished);
    connect(m_editor, &EditController::failed, this, &EditRuns::onFailed);
    connect(m_editor, &EditController::busyChanged, this, &EditRuns::busyChanged);
}

bool EditRuns::runEdit() { return startJob({float(m_studio.w.strength->lambda())}, false); }

bool EditRuns::runSweep(const std::vector<float>& lambdas) { return startJob(lambdas, true); }

bool EditRuns::isBusy() const { return m_editor->isBusy(); }

bool EditRuns::cancel()
{
    if (!m_editor->isBusy())
        return false;
    m_editor->cancel();
    return true;
}

void EditRuns::forget(bool clearResults)
{
    m_editor->cancel();
    ++m_generation;
    if (clearResults) {
        m_studio.w.compare->clearTiles();
        m_lastRun = {};
    }
}

quint64 EditRuns::restoreComparison(LastRun run)
{
    run.sweepId = m_nextSweepId++;
    for (HistoryEntry& e : run.entries)
        e.sweepId = run.sweepId;
    m_lastRun = std::move(run);
    return m_lastRun.sweepId;
}

bool EditRuns::canStart()
{
    if (!m_studio.models() || m_studio.history->isEmpty()) {
        m_studio.reportError(tr("Cannot edit yet"), tr("Load the models and pick a face first."));
        return false;
    }
    if (m_editor->isBusy()) {
        m_studio.status(tr("An edit is running; cancel it first (Esc)."), 5000);
        return false;
    }
    if (m_faces->isBusy()) {
        m_studio.status(tr("A new face is on its way; run the edit once it is shown."), 5000);
        return false;
    }
    if (m_faces->isReferenceMode()) {
        m_studio.reportError(tr("No face to edit"),
                             tr("The photo on screen could not be inverted into a latent, so there is no face to "
                                "edit. Pick a seed, open a latent or another photo."));
        return false;
    }
    return true;
}

bool EditRuns::startJob(const std::vector<float>& lambdas, bool sweep)
{
    if (!canStart())
        return false;
    const StudioWidgets& w = m_studio.w;
    const QString prompt = w.prompt->text().trimmed();
    if (prompt.isEmpty()) {
        m_studio.reportError(tr("No prompt"), tr("Type what the face should become, e.g. “a happy face”."));
        w.prompt->setFocus();
        return false;
    }
    if (w.corpus->currentCorpus().isEmpty()) {
        m_studio.reportError(tr("No corpus"), tr("Choose the corpus the edit belongs to, or add one."));
        return false;
    }
    const std::shared_ptr<pae::ModelSet> models = m_studio.models();
    pae::EditRequest r = pae::EditRequest::defaults();
    w.strength->applyTo(r);
    r.lambdas = lambdas;
    r.source = m_studio.history->current().latent;
    r.prompt = prompt.toStdString();
    r.corpus = w.corpus->currentCorpus().toStdString();
    r.basis = w.corpus->basis();
    r.pcaComponents = w.corpus->pcaComponents();
    const int resolution = models->info().resolution;
    if (resolution > 0)
        r.previewSize = std::min(r.previewSize, resolution);
    try {
        r.validate();
    } catch (const std::exception& ex) {
        m_studio.reportError(tr("Invalid settings"), QString::fromUtf8(ex.what()));
        return false;
    }
    w.prompt->addToHistory(prompt);
    const pae::PromptTokens tokens = models->countTokens(r.prompt);
    QString cut;
    if (!tokens.fits()) {
        cut = tr("The prompt is %1 tokens and the text encoder reads %2: the edit uses “%3”; “%4” is cut.")
                  .arg(tokens.tokens)
                  .arg(tokens.limit)
                  .arg(QString::fromStdString(tokens.read).trimmed(), QString::fromStdString(tokens.cut).trimmed());
        pae::log::warn("{}", cut.toStdString());
    }
    m_runningLabelSuffix.clear();
    launch(std::move(r), sweep, w.corpus->currentCorpus(), cut);
    return true;
}

bool EditRuns::refinePreset()
{
    if (!canStart())
        return false;
    pae::EditRequest r;
    try {
        r = m_live->refineRequest(pae::kDefaultRefineSteps);
    } catch (const std::exception& ex) {
        m_studio.reportError(tr("Cannot refine the preset"), QString::fromUtf8(ex.what()));
        return false;
    }
    const int resolution = m_studio.models()->info().resolution;
    if (resolution > 0)
        r.previewSize = std::min(r.previewSize, resolution);
    m_runningLabelSuffix = tr(", refined");
    const QString corpus = QString::fromStdString(r.corpus);
    launch(std::move(r), false, corpus, QString());
    return true;
}

void EditRuns::launch(pae::EditRequest r, bool sweep, const QString& corpus, const QString& cut)
{
    const StudioWidgets& w = m_studio.w;
    const std::vector<float> lambdas = r.lambdas;
    m_runningRequest = r;
    m_runningSource = r.source;
    m_runningRequest.source = {};
    m_runningRequest.start = {};
    m_runningGeneration = m_generation;
    m_runningCorpus = corpus;
    m_sweepRunning = sweep;
    if (sweep) {
        QStringList shown;
        for (float l : lambdas)
            shown << QString::number(double(l), 'g', 4);
        w.compare->setLambdaText(shown.join(QStringLiteral(", ")));
        w.compare->startSweep(lambdas);
    }
    w.progress->setRange(0, r.steps);
    w.progress->setValue(0);
    w.statusEta->clear();
    m_editor->start(m_studio.models(), r);
    // Typing is done: Ctrl+Z now undoes edits of the face, not letters of the prompt (as in
    // Photoshop, history undo wins outside text editing). Ctrl+L goes back to the prompt.
    if (w.prompt->hasFocus())
        w.canvas->setFocus(Qt::OtherFocusReason);
    pae::log::info("edit: \"{}\" corpus {}, {} λ value(s), {} steps{}", r.prompt, corpus.toStdString(),
                   r.lambdas.size(), r.steps, r.start.empty() ? "" : ", from a preset applied to the face");
    const QString what =
        sweep ? tr("Running a sweep of %1 λ values…").arg(lambdas.size())
        : r.start.empty()
            ? tr("Editing…")
            : tr("Refining “%1” on this face (%2 steps)…").arg(QString::fromStdString(r.prompt)).arg(r.steps);
    m_studio.status(cut.isEmpty() ? what : what + QLatin1Char(' ') + cut, 0);
    m_studio.updateActions();
}

void EditRuns::onProgress(const pae::EditProgress& p)
{
    QProgressBar* progress = m_studio.w.progress;
    progress->setMaximum(std::max(1, p.steps));
    progress->setValue(p.step);
    if (p.step > 0 && p.elapsedSeconds > 0) {
        const double eta = p.elapsedSeconds / p.step * (p.steps - p.step);
        m_studio.w.statusEta->setText(tr("ETA %1").arg(formatDuration(eta)));
    }
    if (!p.loss.empty())
        m_studio.status(tr("Step %1/%2 · loss %3").arg(p.step).arg(p.steps).arg(double(p.loss.front()), 0, 'f', 4), 0);
}

void EditRuns::onPreview(int step, const QVector<QImage>& frames)
{
    if (frames.isEmpty())
        return;
    ComparePanel* compare = m_studio.w.compare;
    const int shown = m_sweepRunning ? std::clamp(compare->selectedTile(), 0, int(frames.size()) - 1) : 0;
    m_studio.w.canvas->setFrame(frames[shown]);
    if (m_sweepRunning)
        compare->setFrames(frames);
    Q_EMIT previewShown(step);
}

QVector<HistoryEntry> EditRuns::entriesOf(const EditOutcome& outcome, quint64 sweepId) const
{
    const pae::EditResult& r = outcome.result;
    QVector<HistoryEntry> entries;
    for (size_t i = 0; i < r.latents.size(); ++i) {
        HistoryEntry e;
        e.kind = HistoryEntry::Kind::Edit;
        e.prompt = QString::fromStdString(m_runningRequest.prompt);
        e.corpus = m_runningCorpus;
        e.settings = m_runningRequest;
        e.lambda = i < r.lambdas.size() ? r.lambdas[i] : 0.f;
        e.settings.lambdas = {e.lambda};
        e.label = entryLabel(e.prompt, e.lambda) + m_runningLabelSuffix;
        if (i < r.metrics.size()) {
            e.metrics = r.metrics[i];
            e.hasMetrics = true;
        }
        e.sweepId = sweepId;
        e.latent = r.latents[i];
        e.image = int(i) < outcome.images.size() ? outcome.images[int(i)] : QImage();
        e.thumbnail = outcome.thumbnails.value(int(i));
        entries << e;
    }
    return entries;
}

void EditRuns::onFinished(const EditOutcome& outcome)
{
    const pae::EditResult& r = outcome.result;
    ComparePanel* compare = m_studio.w.compare;
    m_studio.w.progress->setValue(m_studio.w.progress->maximum());
    const bool sweep = m_sweepRunning;
    m_sweepRunning = false;
    if (m_runningGeneration != m_generation) {
        // The face was replaced while the job ran (new seed, latent, session or models):
        // its result belongs to a history that no longer exists.
        compare->clearTiles();
        m_studio.updateActions();
        Q_EMIT finished();
        return;
    }
    if (r.cancelled || r.latents.empty()) {
        m_studio.status(tr("Cancelled after %1 steps; the face is unchanged.").arg(r.stepsRun), 8000);
        pae::log::info("edit cancelled after {} steps", r.stepsRun);
        m_faces->restoreCanvas();
        if (sweep)
            compare->clearTiles();
        m_studio.updateActions();
        Q_EMIT finished();
        return;
    }
    const quint64 sweepId = m_nextSweepId++;
    const QVector<HistoryEntry> entries = entriesOf(outcome, sweepId);
    m_lastRun = {sweepId, entries, outcome, m_runningSource};
    int chosen = 0;
    if (sweep) {
        compare->setResults(outcome.images, r.metrics);
        chosen = std::clamp(compare->selectedTile(), 0, int(entries.size()) - 1);
    }
    m_studio.history->push(entries[chosen]);
    QString message = tr("Done in %1 (%2 steps).").arg(formatDuration(r.seconds)).arg(r.stepsRun);
    if (!r.stopReason.empty()) {
        message = tr("Stopped early: %1. The last good result is kept.").arg(QString::fromStdString(r.stopReason));
        m_studio.reportError(tr("The edit stopped early"), message);
    }
    m_studio.status(message, 8000);
    Q_EMIT resultAdded();
    m_studio.updateActions();
    Q_EMIT finished();
}

void EditRuns::onFailed(const QString& message)
{
    m_sweepRunning = false;
    m_faces->restoreCanvas();
    m_studio.updateActions();
    m_studio.reportError(tr("The edit failed"), message);
    Q_EMIT failed(message);
}

void EditRuns::chooseSweepResult(int index)
{
    ComparePanel* compare = m_studio.w.compare;
    if (m_editor->isBusy()) {
        compare->selectTile(index); // the canvas follows this tile's previews
        return;
    }
    EditHistory* history = m_studio.history;
    if (index < 0 || index >= m_lastRun.entries.size() || history->isEmpty())
        return;
    const HistoryEntry& chosen = m_lastRun.entries[index];
    if (history->current().sweepId == m_lastRun.sweepId)
        history->replaceCurrent(chosen);
    else
        history->push(chosen);
    compare->selectTile(index);
}

} // namespace pae::ui

#include "moc_EditRuns.cpp"
