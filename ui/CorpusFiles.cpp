#include "ui/CorpusFiles.h"

#include <QDir>
#include <QFileInfo>

namespace pae::ui {

QStringList listCorpusFiles(const QString& dir)
{
    QStringList out;
    const QFileInfoList files =
        QDir(dir).entryInfoList({QStringLiteral("*.txt")}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo& f : files)
        out << f.absoluteFilePath();
    return out;
}

QString corpusDisplayName(const QString& path) { return QFileInfo(path).completeBaseName(); }

} // namespace pae::ui
