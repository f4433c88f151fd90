#include "ui/session/SessionController.h"

#include "ui/canvas/ImageCanvas.h"
#include "ui/dialogs/FileDialogs.h"
#include "ui/jobs/BackgroundTask.h"
#include "ui/jobs/EditRuns.h"
#include "ui/panels/ComparePanel.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/FaceSourcePanel.h"
#include "ui/panels/PromptBox.h"
#include "ui/panels/StrengthPanel.h"
#include "ui/photo/PhotoFaces.h"
#include "ui/photo/PhotoPlacement.h"
#include "ui/session/Document.h"
#include "ui/session/EditHistory.h"
#include "ui/session/FaceController.h"

#include "core/edit/model_set.h"
#include "core/util/log.h"

#include <QDateTime>
#include <QFileInfo>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>

#include <algorithm>

namespace pae::ui {

SessionController::SessionController(Studio studio, FaceController* faces, EditRuns* runs, QObject* parent)
    : QObject(parent), m_studio(std::move(studio)), m_faces(faces), m_runs(runs)
{
    // Any newer face request supersedes a session still being read.
    connect(m_faces, &FaceController::faceRequested, this, [this] { m_reading = 0; });
}

SessionData SessionController::sessionData() const
{
    const StudioWidgets& w = m_studio.w;
    SessionData d;
    d.settings = pae::EditRequest::defaults();
    w.strength->applyTo(d.settings);
    d.settings.basis = w.corpus->basis();
    d.settings.pcaComponents = w.corpus->pcaComponents();
    d.prompt = w.prompt->text();
    d.corpus = w.corpus->currentCorpus();
    d.lambdaList = w.compare->lambdaText();
    d.entries = m_studio.history->entries();
    d.current = m_studio.history->currentIndex();
    d.otherFaces = m_faces->otherFaces().work();
    if (const std::shared_ptr<pae::ModelSet> models = m_studio.models()) {
        const pae::ModelInfo info = models->info();
        d.generatorHash = QString::fromStdString(info.generatorHash);
        d.generatorDescription = QString::fromStdString(info.generatorDescription);
    }
    // The λ comparison on screen comes back with the session.
    const LastRun& run = m_runs->lastRun();
    if (w.compare->tileCount() > 0 && run.entries.size() == w.compare->tileCount()) {
        d.comparison.source = run.source;
        d.comparison.results = run.entries;
        d.comparison.selected = std::clamp(w.compare->selectedTile(), 0, int(run.entries.size()) - 1);
    }
    return d;
}

void SessionController::save(const QString& path, bool overwrite)
{
    Session::save(sessionData(), path, overwrite);
    m_studio.doc->markSaved(path);
    m_studio.w.source->addRecentFile(path);
    pae::log::info("saved session {}", path.toStdString());
}

bool SessionController::open(const QString& path)
{
    if (!confirmReplace(tr("The session %1").arg(QFileInfo(path).fileName())))
        return false;
    FileDialogs::remember(FileDialogs::Kind::Session, path);
    return openFile(path, false);
}

bool SessionController::recoverPreviousWork()
{
    const QString path = Document::previousAutosavePath();
    if (!QFileInfo::exists(path)) {
        m_studio.reportError(tr("Nothing to recover"), tr("%1: there is no earlier autosave.").arg(path));
        return false;
    }
    if (!confirmReplace(tr("The recovered work")))
        return false;
    return openFile(path, true);
}

void SessionController::fail(const QString& message)
{
    m_studio.reportError(tr("Cannot open the session"), message);
    Q_EMIT failed(message);
}

bool SessionController::openFile(const QString& path, bool fromAutosave)
{
    if (!m_studio.models()) {
        m_studio.reportError(tr("Cannot open the session"), tr("%1: load the models first.").arg(path));
        return false;
    }
    // Parsed off the GUI thread (a long session of 1024² faces is megabytes of base64); like
    // any face request, a newer one supersedes it.
    const quint64 token = ++m_serial;
    m_reading = token;
    m_studio.status(tr("Reading %1…").arg(QFileInfo(path).fileName()), 0);
    m_studio.updateActions();
    runInBackground(
        this, [path] { return Session::load(path); },
        [this, token, path, fromAutosave](const SessionData& data) {
            if (token != m_reading)
                return;
            m_reading = 0;
            restore(data, path, fromAutosave);
        },
        [this, token](const QString& message) {
            if (token != m_reading)
                return;
            m_reading = 0;
            m_studio.updateActions();
            fail(message);
        });
    return true;
}

bool SessionController::restore(const SessionData& data, const QString& origin, bool fromAutosave)
{
    const std::shared_ptr<pae::ModelSet> models = m_studio.models();
    if (!models) {
        fail(tr("%1: load the models first.").arg(origin));
        return false;
    }
    std::vector<pae::Latent> latents;
    const pae::ModelInfo info = models->info();
    // Every latent of the session (history, comparison, the photo's other faces) must fit
    // the loaded generator; `where` names the one that does not.
    const auto add = [&](const HistoryEntry& e, const QString& where) {
        if (e.latent.numLatents == info.numLatents && e.latent.styleDim == info.styleDim) {
            latents.push_back(e.latent);
            return true;
        }
        fail(tr("%1: %2latent “%3” is %4×%5, the loaded generator takes %6×%7; open the models this session "
                "was made with")
                 .arg(origin, where, e.label)
                 .arg(e.latent.numLatents)
                 .arg(e.latent.styleDim)
                 .arg(info.numLatents)
                 .arg(info.styleDim));
        return false;
    };
    for (const HistoryEntry& e : data.entries)
        if (!add(e, QString()))
            return false;
    for (const HistoryEntry& e : data.comparison.results)
        if (!add(e, tr("the comparison's ")))
            return false;
    for (int k = 0; k < data.otherFaces.size(); ++k)
        for (const HistoryEntry& e : data.otherFaces[k].entries)
            if (!add(e, QStringLiteral("otherFaces[%1]: ").arg(k)))
                return false;
    if (!confirmOtherGenerator(data, origin, info))
        return false;
    m_faces->requestLatents(std::move(latents), origin, [this, data, origin, fromAutosave](const FaceResult& r) {
        apply(data, r, origin, fromAutosave);
    });
    return true;
}

void SessionController::apply(SessionData data, const FaceResult& rendered, const QString& origin, bool fromAutosave)
{
    const QVector<QImage>& images = rendered.images;
    const QVector<QImage>& thumbnails = rendered.thumbnails;
    const StudioWidgets& w = m_studio.w;
    EditHistory* history = m_studio.history;
    QVector<HistoryEntry>& entries = data.entries;
    for (int i = 0; i < entries.size() && i < images.size(); ++i) {
        entries[i].image = images[i];
        entries[i].thumbnail = thumbnails.value(i);
    }
    QVector<HistoryEntry>& results = data.comparison.results;
    for (int i = 0; i < results.size() && entries.size() + i < images.size(); ++i) {
        results[i].image = images[int(entries.size()) + i];
        results[i].thumbnail = thumbnails.value(int(entries.size()) + i);
    }
    int next = int(entries.size() + results.size()); // the other faces' images follow, in order
    for (FaceWork& face : data.otherFaces)
        for (HistoryEntry& e : face.entries) {
            e.image = images.value(next);
            e.thumbnail = thumbnails.value(next);
            ++next;
        }
    m_faces->adoptFace(entries.first());
    // Sweep ids are per run of the studio: the comparison and the history entry chosen from
    // it get a fresh one, so a tile click replaces that entry as before the save.
    LastRun run;
    std::vector<float> lambdas;
    std::vector<pae::EditMetrics> metrics;
    if (!results.isEmpty()) {
        run.entries = results;
        run.source = data.comparison.source;
        for (const HistoryEntry& e : results) {
            lambdas.push_back(e.lambda);
            metrics.push_back(e.metrics);
            run.outcome.images << e.image;
        }
        run.outcome.result.lambdas = lambdas;
        run.outcome.result.metrics = metrics;
        const quint64 sweepId = m_runs->restoreComparison(run);
        for (HistoryEntry& r : results)
            for (HistoryEntry& e : entries)
                if (e.kind == HistoryEntry::Kind::Edit && e.latent.values == r.latent.values)
                    e.sweepId = sweepId;
    }
    history->restore(entries, data.current);
    QString photoProblem;
    if (entries.first().placement)
        m_faces->setPlacement(reattachPhoto(*entries.first().placement, photoProblem));
    // The photo's other faces: the photo was read once (above); they sit in the same pixels.
    const PhotoPlacement* placement = m_faces->placement();
    for (const FaceWork& face : data.otherFaces) {
        PhotoFaces::Face kept;
        kept.work = face;
        const PhotoPlacement& saved = *face.entries.first().placement;
        if (placement) {
            auto copy = std::make_shared<PhotoPlacement>(saved);
            copy->photo = placement->photo;
            copy->colorSpace = placement->colorSpace;
            kept.placement = std::move(copy);
        }
        m_faces->otherFaces().keep(saved.face, std::move(kept));
    }
    if (!data.otherFaces.isEmpty()) {
        m_faces->updateComposer(); // their edits are in the photo too
        if (!placement)
            photoProblem += tr(" Its %n other face(s) are kept with the session, to be edited with the photo.", nullptr,
                               int(data.otherFaces.size()));
    }
    w.canvas->setImage(history->current().image);
    w.corpus->setBasis(data.settings.basis, data.settings.pcaComponents);
    if (!data.corpus.isEmpty() && !w.corpus->setCurrentCorpus(data.corpus) && QFileInfo::exists(data.corpus)) {
        w.corpus->addUserCorpus(data.corpus);
        w.corpus->setCurrentCorpus(data.corpus);
    }
    // After the corpus: choosing it sets the panel's defaults (its header's rows), which must
    // not replace what the session saved.
    w.strength->setFrom(data.settings);
    w.prompt->setText(data.prompt);
    if (!data.lambdaList.isEmpty())
        w.compare->setLambdaText(data.lambdaList);
    if (entries.first().kind == HistoryEntry::Kind::Seed)
        w.source->setSeed(entries.first().seed);
    if (!results.isEmpty()) {
        w.compare->startSweep(lambdas);
        w.compare->setResults(run.outcome.images, metrics);
        w.compare->selectTile(data.comparison.selected);
    }
    // An autosave is not the user's file: the restored work still needs saving somewhere.
    m_studio.doc->startNew(fromAutosave ? QString() : origin, fromAutosave);
    if (!fromAutosave)
        w.source->addRecentFile(origin);
    m_studio.updateActions();
    if (!photoProblem.isEmpty())
        m_studio.status(tr("Opened %1. %2").arg(QFileInfo(origin).fileName(), photoProblem), 15000);
    else
        m_studio.status(tr("Opened %1 (%2 history entries)").arg(QFileInfo(origin).fileName()).arg(entries.size()),
                        5000);
}

bool SessionController::confirmOtherGenerator(const SessionData& data, const QString& origin,
                                              const pae::ModelInfo& info)
{
    const QString loaded = QString::fromStdString(info.generatorHash);
    if (data.generatorHash.isEmpty() || data.generatorHash == loaded)
        return true;
    QMessageBox box(QMessageBox::Warning, tr("Another generator"),
                    tr("%1 was made with another generator than the one loaded.").arg(origin), QMessageBox::Cancel,
                    m_studio.window);
    const QString current = QString::fromStdString(info.generatorDescription);
    // The same file retrained (the built-in models after an update) reads the same but for
    // its weights: say that, rather than print one description twice.
    const QString which =
        data.generatorDescription == current
            ? tr("Generator: %1\nIts weights have changed since: %2 then, %3 now.")
                  .arg(current, data.generatorHash, loaded)
            : tr("Saved with: %1 (weights %2)\nLoaded: %3 (weights %4)")
                  .arg(data.generatorDescription.isEmpty() ? tr("an unnamed generator") : data.generatorDescription,
                       data.generatorHash, current, loaded);
    box.setInformativeText(tr("A session keeps latents, not pictures: on this generator they draw other faces than "
                              "the ones you saved.\n\n%1\n\nChoose the models it was made with (Settings → "
                              "Models…) to see your work as it was, or open it anyway to go on with these faces.")
                               .arg(which));
    QPushButton* open = box.addButton(tr("Open anyway"), QMessageBox::AcceptRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() == open) {
        pae::log::warn("{}: opened on another generator (saved with weights {}, loaded {})", origin.toStdString(),
                       data.generatorHash.toStdString(), info.generatorHash);
        return true;
    }
    m_studio.status(tr("Did not open %1: it was made with another generator; the work on screen is unchanged.")
                        .arg(QFileInfo(origin).fileName()),
                    10000);
    m_studio.updateActions();
    return false;
}

bool SessionController::autosave()
{
    if (m_studio.history->isEmpty())
        return false;
    try {
        m_studio.doc->autosave(sessionData());
        return true;
    } catch (const std::exception& ex) {
        pae::log::warn("autosave failed: {}", ex.what());
        m_studio.status(tr("Autosave failed: %1").arg(QString::fromUtf8(ex.what())), 10000);
        return false;
    }
}

void SessionController::offerAutosaveRestore()
{
    const QString path = Document::autosavePath();
    if (!QFileInfo::exists(path))
        return;
    const auto answer =
        QMessageBox::question(m_studio.window, tr("Restore the last session?"),
                              tr("PAE Studio did not close normally last time. Restore the edits it autosaved (%1)?")
                                  .arg(QFileInfo(path).lastModified().toString(Qt::TextDate)),
                              QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer == QMessageBox::Yes) {
        openFile(path, true);
        return;
    }
    // Not now is not never: it stays recoverable from File › Recover previous work.
    try {
        Document::keepAutosaveAsPrevious();
    } catch (const std::exception& ex) {
        m_studio.reportError(tr("Cannot keep the autosave"), QString::fromUtf8(ex.what()));
    }
}

bool SessionController::confirmReplace(const QString& what)
{
    return m_studio.doc->confirmReplace(m_studio.window, what, [this] { saveDialog(false); });
}

bool SessionController::confirmClose()
{
    if (!m_studio.doc->hasUnsavedWork() || !m_studio.window->isVisible())
        return true;
    const auto answer = QMessageBox::question(
        m_studio.window, tr("Save the session?"), tr("The edits since the last save will be lost. Save them first?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save) {
        saveDialog(false);
        return !m_studio.doc->hasUnsavedWork();
    }
    return true;
}

void SessionController::saveDialog(bool saveAs)
{
    QString path = m_studio.doc->path();
    bool overwrite = !path.isEmpty(); // saving again over our own session file
    if (saveAs || path.isEmpty()) {
        path = FileDialogs::saveFile(m_studio.window, FileDialogs::Kind::Session, tr("Save session"),
                                     QStringLiteral("edits.paesession"), tr("PAE Studio sessions (*.paesession)"));
        overwrite = true;
    }
    if (path.isEmpty())
        return;
    try {
        save(path, overwrite);
        m_studio.status(tr("Saved %1").arg(path), 5000);
    } catch (const std::exception& ex) {
        m_studio.reportError(tr("Cannot save the session"), QString::fromUtf8(ex.what()));
    }
}

void SessionController::openDialog()
{
    const QString path = FileDialogs::openFile(m_studio.window, FileDialogs::Kind::Session, tr("Open session"),
                                               tr("PAE Studio sessions (*.paesession);;All files (*)"));
    if (!path.isEmpty())
        open(path);
}

} // namespace pae::ui

#include "moc_SessionController.cpp"
