#include "ui/dialogs/FileDialogs.h"

#include "ui/SettingsKeys.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace pae::ui {

namespace {

QString key(FileDialogs::Kind kind)
{
    switch (kind) {
    case FileDialogs::Kind::Face:
        return settings::kFolderFace;
    case FileDialogs::Kind::Session:
        return settings::kFolderSession;
    case FileDialogs::Kind::Export:
        return settings::kFolderExport;
    case FileDialogs::Kind::Corpus:
        return settings::kFolderCorpus;
    case FileDialogs::Kind::Model:
        return settings::kFolderModel;
    case FileDialogs::Kind::Preset:
        return settings::kFolderPreset;
    }
    return settings::kFolderFace;
}

} // namespace

QString FileDialogs::lastFolder(Kind kind)
{
    const QString saved = QSettings().value(key(kind)).toString();
    if (!saved.isEmpty() && QFileInfo(saved).isDir())
        return saved;
    const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if ((kind == Kind::Face || kind == Kind::Export) && QFileInfo(pictures).isDir())
        return pictures;
    return QDir::homePath();
}

void FileDialogs::remember(Kind kind, const QString& path)
{
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    QSettings().setValue(key(kind), info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

QString FileDialogs::openFile(QWidget* parent, Kind kind, const QString& title, const QString& filter)
{
    const QString path = QFileDialog::getOpenFileName(parent, title, lastFolder(kind), filter);
    remember(kind, path);
    return path;
}

QString FileDialogs::saveFile(QWidget* parent, Kind kind, const QString& title, const QString& defaultName,
                              const QString& filter)
{
    const QString path =
        QFileDialog::getSaveFileName(parent, title, QDir(lastFolder(kind)).filePath(defaultName), filter);
    remember(kind, path);
    return path;
}

QString FileDialogs::folder(QWidget* parent, Kind kind, const QString& title)
{
    const QString path = QFileDialog::getExistingDirectory(parent, title, lastFolder(kind));
    remember(kind, path);
    return path;
}

} // namespace pae::ui
