#include "ui/session/Document.h"

#include "ui/session/EditHistory.h"

#include "core/util/error.h"
#include "core/util/log.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QStandardPaths>

namespace pae::ui {

Document::Document(QObject* parent) : QObject(parent), m_history(new EditHistory(this))
{
    // Any move through the history (an edit, undo, redo, a sweep tile) changes the work.
    connect(m_history, &EditHistory::currentChanged, this, [this] { markDirty(); });
}

bool Document::hasUnsavedWork() const
{
    if (!m_dirty || m_history->isEmpty())
        return false;
    return m_history->count() > 1 || m_history->at(0).kind == HistoryEntry::Kind::Photo;
}

void Document::startNew(const QString& path, bool dirty)
{
    ++m_generation;
    m_path = path;
    m_dirty = dirty;
    Q_EMIT stateChanged();
}

void Document::markSaved(const QString& path)
{
    m_path = path;
    m_dirty = false;
    Q_EMIT stateChanged();
}

void Document::markDirty()
{
    m_dirty = true;
    Q_EMIT stateChanged();
}

bool Document::confirmReplace(QWidget* parent, const QString& what, const SaveFunction& save)
{
    if (!hasUnsavedWork())
        return true;
    const int edits = m_history->count() - 1;
    const QString work = edits == 1 ? tr("the current face and its edit")
                         : edits > 1
                             ? tr("the current face and its %1 edits").arg(edits)
                             : tr("the face inverted from %1").arg(QFileInfo(m_history->at(0).sourceFile).fileName());
    QMessageBox box(QMessageBox::Question, tr("Save the current work?"),
                    tr("%1 replaces %2, which %3 not saved.").arg(what, work, edits > 0 ? tr("are") : tr("is")),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, parent);
    box.setInformativeText(tr("Save it first, discard it, or cancel and keep working on it. "
                              "Discarded work stays recoverable once from File › Recover previous work."));
    box.setDefaultButton(QMessageBox::Save);
    box.setEscapeButton(QMessageBox::Cancel);
    const int answer = box.exec();
    if (answer == QMessageBox::Discard) {
        pae::log::info("discarded unsaved work ({} history entries) for {}", m_history->count(), what.toStdString());
        return true;
    }
    if (answer != QMessageBox::Save)
        return false;
    save();
    return !hasUnsavedWork();
}

QString Document::autosavePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("autosave.paesession"));
}

QString Document::previousAutosavePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("autosave-previous.paesession"));
}

namespace {

// rename() does not replace an existing file on every platform: remove the old one first.
void replaceFile(const QString& from, const QString& to)
{
    if (QFile::exists(to) && !QFile::remove(to))
        throw pae::Error(to.toStdString() + ": cannot replace the previous autosave");
    if (!QFile::rename(from, to))
        throw pae::Error(from.toStdString() + ": cannot keep it as " + to.toStdString());
}

} // namespace

void Document::autosave(const SessionData& data)
{
    const QString path = autosavePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    // The file on disk holds other work (an earlier face of this run, or what a crashed
    // run left): keep it as the previous generation rather than writing over it.
    if (m_autosavedGeneration != m_generation && QFile::exists(path))
        replaceFile(path, previousAutosavePath());
    Session::save(data, path, true);
    m_autosavedGeneration = m_generation;
    pae::log::debug("autosaved to {}", path.toStdString());
}

void Document::removeAutosave()
{
    QFile::remove(autosavePath());
    m_autosavedGeneration = 0;
}

void Document::keepAutosaveAsPrevious()
{
    if (QFile::exists(autosavePath()))
        replaceFile(autosavePath(), previousAutosavePath());
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_Document.cpp"
