#pragma once
// Corpus files on disk, as the picker lists them. The engine reads and parses them; the UI
// only needs their names and paths.
#include <QString>
#include <QStringList>

namespace pae::ui {

// The *.txt files directly inside `dir`, absolute paths, sorted by name; empty when the
// folder does not exist.
QStringList listCorpusFiles(const QString& dir);
// "emotion" for ".../prompts/emotion.txt".
QString corpusDisplayName(const QString& path);

} // namespace pae::ui
