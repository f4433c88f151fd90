#include "ui/session/AtomicWrite.h"

#include "core/util/error.h"

#include <QFileInfo>
#include <QSaveFile>

namespace pae::ui {

void refuseExistingFile(const QString& path, bool overwrite)
{
    if (!overwrite && QFileInfo::exists(path))
        throw pae::Error(path.toStdString() + ": the file exists; not overwriting it without being asked to");
}

void writeFileAtomically(const QByteArray& bytes, const QString& path, bool overwrite)
{
    refuseExistingFile(path, overwrite);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw pae::Error(path.toStdString() + ": cannot write: " + file.errorString().toStdString());
    if (file.write(bytes) != bytes.size()) {
        file.cancelWriting();
        throw pae::Error(path.toStdString() + ": write failed: " + file.errorString().toStdString());
    }
    if (!file.commit())
        throw pae::Error(path.toStdString() + ": cannot finish writing: " + file.errorString().toStdString());
}

} // namespace pae::ui
