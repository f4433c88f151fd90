#pragma once
// One way the studio writes a file: to a temporary file beside it, renamed into place on
// success (QSaveFile), and never over an existing file unless `overwrite` says so. Errors
// throw pae::Error naming the path. Kept apart from Exporter so that the session reader
// (and its fuzzer) needs nothing of image or video encoding.
#include <QByteArray>
#include <QString>

namespace pae::ui {

void writeFileAtomically(const QByteArray& bytes, const QString& path, bool overwrite);
// Throws unless overwrite or the path is free.
void refuseExistingFile(const QString& path, bool overwrite);

} // namespace pae::ui
