#pragma once
// A saved piece of work: the edit chain (source, each edit's prompt, settings and latent)
// and the panel settings. JSON with latents as base64 float32, so one file carries it all.
// Images are not stored: they are rendered again from the latents when the session opens.
#include "ui/session/HistoryEntry.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace pae::ui {

// The λ comparison on screen: the results of the last sweep, one per λ, and the face they
// started from. Reopened with the session, so its tiles come back.
struct ComparisonData {
    pae::Latent source;
    QVector<HistoryEntry> results; // Kind::Edit; empty: no comparison
    int selected = 0;
};

// Another face of the photo the current face was taken from, with its own history: each face
// of a photo keeps its work while another is edited (File › Another face in this photo).
struct FaceWork {
    QVector<HistoryEntry> entries; // entries[0]: the face as inverted from the photo
    int current = 0;
};

struct SessionData {
    pae::EditRequest settings; // the panels' settings; source and λ list live elsewhere
    QString prompt;
    QString corpus;
    QString lambdaList;
    QVector<HistoryEntry> entries;
    int current = 0;
    ComparisonData comparison;
    // The photo's other faces being edited (empty unless several faces of one photo were).
    QVector<FaceWork> otherFaces;
    // The generator that drew its faces (pae::ModelInfo): a session keeps latents, and the
    // same latents on a retrained generator of the same shape are other faces. Empty in
    // sessions saved before it was recorded.
    QString generatorHash;
    QString generatorDescription;
};

class Session {
public:
    static constexpr int formatVersion = 1;
    static QByteArray toJson(const SessionData& data);
    // Throws pae::Error naming `origin` and the field that is wrong.
    static SessionData fromJson(const QByteArray& json, const QString& origin);
    // Atomic; refuses to replace an existing file unless overwrite.
    static void save(const SessionData& data, const QString& path, bool overwrite);
    static SessionData load(const QString& path);
};

} // namespace pae::ui
