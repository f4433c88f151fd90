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
    // .mp4 or .webm through OpenCV (where its build has the codec); frames at `fps`.
    static void writeVideo(const QVector<QImage>& frames, const QString& path, double fps, bool overwrite);
    static bool isVideoPath(const QString& path);
    // "MP4 video (*.mp4);;WebM video (*.webm)": the video kinds this build can write (may be empty).
    static QString videoFileFilter();
    // The animation exports by suffix: .gif, .mp4/.webm, anything else a PNG frame sequence
    // named after the path's stem. Returns what was written, for the status bar.
    static QString writeAnimation(const QVector<QImage>& frames, const QString& path, int delayMs, bool overwrite);
    // `image` at size × size with a named filter (nearest, bicubic or lanczos); the image's own
    // size when size is 0.
    static QImage scaled(const QImage& image, int size, const QString& filter);
    // "PNG image (*.png);;JPEG image (*.jpg *.jpeg);;WebP image (*.webp)" — the ones Qt can write here.
    static QString imageFileFilter();
};

} // namespace pae::ui
