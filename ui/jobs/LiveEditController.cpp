#include "ui/jobs/LiveEditController.h"

#include "ui/session/EditHistory.h"

#include "core/edit/model_set.h"
#include "core/util/error.h"
#include "core/util/log.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

namespace pae::ui {

namespace {

QString strengthLabel(const HistoryEntry& edit, double alpha)
{
    return QObject::tr("%1 ×%2").arg(edit.label).arg(alpha, 0, 'g', 3);
}

} // namespace

LiveEditController::LiveEditController(EditHistory* history, LiveEditPanel* panel, QObject* parent)
    : QObject(parent), m_history(history), m_panel(panel), m_renderer(new FaceRenderer(this))
{
    connect(m_history, &EditHistory::currentChanged, this, &LiveEditController::historyMoved);
    connect(m_history, &EditHistory::entriesChanged, this, &LiveEditController::historyMoved);
    connect(m_panel, &LiveEditPanel::strengthChanged, this,
            [this](double alpha, bool final) { requestStrength(alpha, final, false); });
    connect(m_panel, &LiveEditPanel::applyStrengthRequested, this,
            [this](double alpha) { requestStrength(alpha, true, true); });
    connect(m_panel, &LiveEditPanel::layersChanged, this, [this] { requestLayers(false); });
    connect(m_panel, &LiveEditPanel::applyLayersRequested, this, [this] { requestLayers(true); });
    connect(m_renderer, &FaceRenderer::rendered, this, &LiveEditController::onRendered);
    connect(m_renderer, &FaceRenderer::failed, this, [this](quint64 id, const QString& message) {
        if (id == m_pending.id)
            Q_EMIT errorOccurred(tr("Cannot render the live edit"), message);
    });
    reloadPresets();
    historyMoved();
}

void LiveEditController::setModels(std::shared_ptr<const pae::ModelSet> models)
{
    m_models = std::move(models);
    m_renderer->cancel();
    m_pending = {};
    reloadPresets(); // which presets were made with another generator depends on the models
}

QString LiveEditController::presetsFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("presets"));
}

void LiveEditController::reloadPresets()
{
    QVector<LiveEditPanel::PresetLayer> layers;
    const QDir dir(presetsFolder());
    for (const QFileInfo& f : dir.entryInfoList({QStringLiteral("*.preset")}, QDir::Files, QDir::Name)) {
        LiveEditPanel::PresetLayer layer;
        layer.path = f.absoluteFilePath();
        try {
            const pae::EditPreset& p = preset(layer.path);
            layer.name = QString::fromStdString(p.name);
            if (m_models)
                layer.warning = QString::fromStdString(pae::presetGeneratorMismatch(p, m_models->info().generatorHash));
        } catch (const std::exception& ex) {
            pae::log::warn("preset {} skipped: {}", layer.path.toStdString(), ex.what());
            continue;
        }
        layers.push_back(layer);
    }
    m_panel->setPresets(layers);
}

const pae::EditPreset& LiveEditController::preset(const QString& path)
{
    auto it = m_cache.find(path);
    if (it == m_cache.end())
        it = m_cache.emplace(path, pae::loadPreset(path.toStdString())).first;
    return it->second;
}

void LiveEditController::historyMoved()
{
    const int i = m_history->currentIndex();
    const bool edit = i > 0 && m_history->current().kind == HistoryEntry::Kind::Edit;
    m_panel->setEditAvailable(edit, edit ? m_history->current().label : QString());
    m_panel->resetStrength();
    // What was being rendered belongs to the face that was on screen.
    if (m_pending.id != 0 && m_pending.entry != i) {
        m_renderer->cancel();
        m_pending = {};
    }
}

void LiveEditController::requestStrength(double alpha, bool final, bool apply)
{
    const int i = m_history->currentIndex();
    if (!m_models || i <= 0 || m_history->current().kind != HistoryEntry::Kind::Edit)
        return;
    const HistoryEntry& edit = m_history->current();
    FaceRequest request;
    request.kind = FaceRequest::Kind::Latents;
    request.latents = {pae::scaleEdit(m_history->at(i - 1).latent, edit.latent, float(alpha))};
    request.previewSize = final ? 0 : dragPreviewSize;
    Pending p;
    p.apply = apply;
    p.final = final;
    p.alpha = alpha;
    p.entry = i;
    p.label = strengthLabel(edit, alpha);
    p.latent = request.latents.front();
    p.id = m_renderer->request(m_models, std::move(request));
    m_pending = std::move(p);
}

void LiveEditController::requestLayers(bool apply)
{
    if (!m_models || m_history->isEmpty())
        return;
    const QVector<LiveEditPanel::PresetLayer> layers = m_panel->activeLayers();
    std::vector<const pae::EditPreset*> presets;
    std::vector<float> strengths;
    QStringList parts;
    try {
        for (const LiveEditPanel::PresetLayer& layer : layers) {
            presets.push_back(&preset(layer.path));
            strengths.push_back(float(layer.strength));
            parts << tr("%1 ×%2").arg(layer.name).arg(layer.strength, 0, 'g', 3);
        }
        FaceRequest request;
        request.kind = FaceRequest::Kind::Latents;
        request.latents = {pae::applyPresets(m_history->current().latent, presets, strengths)};
        Pending p;
        p.apply = apply && !layers.isEmpty();
        p.final = true;
        p.entry = m_history->currentIndex();
        p.label = tr("presets: %1").arg(parts.join(QStringLiteral(", ")));
        p.latent = request.latents.front();
        p.id = m_renderer->request(m_models, std::move(request));
        m_pending = std::move(p);
    } catch (const std::exception& ex) {
        Q_EMIT errorOccurred(tr("Cannot apply the presets"), QString::fromUtf8(ex.what()));
    }
}

void LiveEditController::onRendered(quint64 id, const FaceResult& result)
{
    if (id != m_pending.id || result.images.isEmpty())
        return;
    const Pending p = std::move(m_pending);
    m_pending = {};
    if (p.entry != m_history->currentIndex())
        return;
    Q_EMIT frameReady(result.images.front(), p.alpha, p.final);
    if (!p.apply)
        return;
    HistoryEntry e = m_history->current();
    e.kind = HistoryEntry::Kind::Edit;
    e.label = p.label;
    e.lambda = m_history->current().lambda;
    e.latent = p.latent;
    e.image = result.images.front();
    e.thumbnail = result.thumbnails.value(0);
    e.sweepId = 0;
    e.hasMetrics = false;
    e.created = QDateTime::currentDateTime();
    m_history->push(e);
    Q_EMIT applied(p.label);
}

QString LiveEditController::saveCurrentAsPreset(const QString& name)
{
    const int i = m_history->currentIndex();
    if (!m_models || i <= 0 || m_history->current().kind != HistoryEntry::Kind::Edit)
        throw pae::Error("there is no edit on screen to save as a preset");
    const HistoryEntry& edit = m_history->current();
    pae::EditPreset p;
    p.name = (name.trimmed().isEmpty() ? edit.label : name.trimmed()).toStdString();
    p.prompt = edit.prompt.toStdString();
    p.corpus = edit.corpus.toStdString();
    p.target = pae::toString(edit.settings.target);
    p.lambda = edit.lambda;
    p.settings = QStringLiteral("{\"steps\":%1,\"lr\":%2,\"l2_weight\":%3,\"basis\":\"%4\",\"pca_k\":%5}")
                     .arg(edit.settings.steps)
                     .arg(double(edit.settings.learningRate))
                     .arg(double(edit.settings.l2Weight))
                     .arg(QString::fromStdString(pae::toString(edit.settings.basis)))
                     .arg(edit.settings.pcaComponents)
                     .toStdString();
    p.generator = m_models->info().generatorDescription;
    p.generatorHash = m_models->info().generatorHash;
    p.source = m_history->at(i - 1).latent;
    p.delta = pae::editDelta(p.source, edit.latent);
    QDir().mkpath(presetsFolder());
    QString stem = QString::fromStdString(p.name).toLower();
    stem.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    stem = stem.left(60).remove(QRegularExpression(QStringLiteral("^-+|-+$")));
    if (stem.isEmpty())
        stem = QStringLiteral("preset");
    QString path = QDir(presetsFolder()).filePath(stem + QStringLiteral(".preset"));
    for (int n = 2; QFileInfo::exists(path); ++n)
        path = QDir(presetsFolder()).filePath(QStringLiteral("%1-%2.preset").arg(stem).arg(n));
    pae::savePreset(p, path.toStdString());
    m_cache.erase(path);
    reloadPresets();
    return path;
}

pae::EditRequest LiveEditController::refineRequest(int steps)
{
    const QVector<LiveEditPanel::PresetLayer> layers = m_panel->activeLayers();
    if (layers.size() != 1)
        throw pae::Error("tick exactly one preset to refine on this face (" + std::to_string(layers.size()) +
                         " are ticked)");
    if (!m_models || m_history->isEmpty())
        throw pae::Error("there is no face on screen");
    const pae::EditPreset& p = preset(layers.front().path);
    const pae::Latent& face = m_history->current().latent;
    if (p.delta.numLatents != face.numLatents || p.delta.styleDim != face.styleDim)
        throw pae::Error(layers.front().path.toStdString() + ": made for a generator of " +
                         std::to_string(p.delta.numLatents) + "×" + std::to_string(p.delta.styleDim) +
                         " latents; this face is " + std::to_string(face.numLatents) + "×" +
                         std::to_string(face.styleDim));
    return pae::refineRequest(p, face, float(layers.front().strength), steps,
                              pae::EditRequest::defaults(m_models->info()));
}

QString LiveEditController::importPreset(const QString& path)
{
    const pae::EditPreset p = pae::loadPreset(path.toStdString()); // refuses what is not a preset, naming why
    QDir().mkpath(presetsFolder());
    QString target = QDir(presetsFolder()).filePath(QFileInfo(path).fileName());
    if (QFileInfo(target).absoluteFilePath() == QFileInfo(path).absoluteFilePath())
        return target;
    for (int n = 2; QFileInfo::exists(target); ++n)
        target = QDir(presetsFolder())
                     .filePath(QStringLiteral("%1-%2.preset").arg(QFileInfo(path).completeBaseName()).arg(n));
    pae::savePreset(p, target.toStdString());
    reloadPresets();
    return target;
}

void LiveEditController::exportPreset(const QString& presetPath, const QString& target)
{
    pae::savePreset(preset(presetPath), target.toStdString());
}

void LiveEditController::removePreset(const QString& path)
{
    if (!QFile::remove(path))
        throw pae::Error(path.toStdString() + ": cannot remove it");
    m_cache.erase(path);
    reloadPresets();
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_LiveEditController.cpp"
