#pragma once
// Copies between core's plain RGB buffers and QImage. Always deep copies: frames cross
// threads, and a QImage that aliases a buffer owned by a finished job would dangle.
#include "core/edit/types.h"

#include <QImage>

namespace pae::ui {

QImage toQImage(const pae::ImageRGB& image);
pae::ImageRGB toImageRGB(const QImage& image);
// The history list's icon of a face: made by the worker that made the face, so a long
// history of 1024² faces never scales images on the GUI thread.
QImage historyThumbnail(const QImage& image);

} // namespace pae::ui
