#pragma once
// A small animated-GIF encoder (GIF89a, per-frame median-cut palette, LZW), since Qt reads
// GIFs but cannot write them and OpenCV writes none either.
#include <QByteArray>
#include <QImage>
#include <QVector>

namespace pae::ui {

class GifEncoder {
public:
    // delayMs is rounded to GIF's 10 ms units; loops forever. Frames must share one size.
    static QByteArray encode(const QVector<QImage>& frames, int delayMs);
};

} // namespace pae::ui
