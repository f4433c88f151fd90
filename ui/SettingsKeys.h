#pragma once
// Every QSettings key of the studio, in one place: a key renamed here is renamed everywhere,
// and a new one cannot collide unnoticed with an old one.
#include <QString>

namespace pae::ui::settings {

inline const QString kPromptHistory = QStringLiteral("prompt/history");
inline const QString kUserCorpora = QStringLiteral("corpus/user");
inline const QString kCurrentCorpus = QStringLiteral("corpus/current");
inline const QString kLambdaList = QStringLiteral("compare/lambdas");
inline const QString kSeed = QStringLiteral("faceSource/seed");
inline const QString kRecentFiles = QStringLiteral("faceSource/recentFiles");
inline const QString kWindowGeometry = QStringLiteral("window/geometry");
inline const QString kWindowState = QStringLiteral("window/state");
inline const QString kClipDir = QStringLiteral("models/clipDir");
inline const QString kGeneratorFile = QStringLiteral("models/generatorFile");
inline const QString kIdentityFile = QStringLiteral("models/identityFile");
inline const QString kEncoderFile = QStringLiteral("models/encoderFile");
inline const QString kDevice = QStringLiteral("models/device");
inline const QString kThreads = QStringLiteral("models/threads");
// FileDialogs: the folder last used for each kind of file
inline const QString kFolderFace = QStringLiteral("folders/face");
inline const QString kFolderSession = QStringLiteral("folders/session");
inline const QString kFolderExport = QStringLiteral("folders/export");
inline const QString kFolderCorpus = QStringLiteral("folders/corpus");
inline const QString kFolderModel = QStringLiteral("folders/model");
inline const QString kFolderPreset = QStringLiteral("folders/preset");
// Export options
inline const QString kExportSize = QStringLiteral("export/size");
inline const QString kExportFilter = QStringLiteral("export/filter");

} // namespace pae::ui::settings
