#pragma once
// Writing results to disk. Every write is atomic (QSaveFile: a temporary file renamed into
// place on success), and an existing file is replaced only when `overwrite` says so:
// dialogs ask the user first, programs have to say it explicitly. Failures throw
// pae::Error naming the path and the reason.
#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>

namespace pae::ui {

class Exporter {
public:
    // Format from the suffix: png, jpg/jpeg, webp (or bmp).
    static void writeImage(const QImage& image, const QString& path, bool overwrite, int quality = 92);
    // stem_0000.png, stem_0001.png, … in `dir`; refuses to start when any of them exists
    // and overwrite is false. Returns the paths written.
    static QStringList writeFrameSequence(const QVector<QImage>& frames, const QString& dir, const QString& stem,
                                          bool overwrite);
    // Animated GIF, looping; frames are scaled to the first frame's size.
    static void writeGif(const QVector<QImage>& frames, const QString& path, int delayMs, bool overwrite);
    static void writeBytes(const QByteArray& bytes, const QString& path, bool overwrite);
    // "PNG image (*.png);;JPEG image (*.jpg *.jpeg);;WebP image (*.webp)" — the ones Qt can write here.
    static QString imageFileFilter();
};

} // namespace pae::ui
