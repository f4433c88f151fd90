#pragma once
// Copies between core's plain RGB buffers and QImage. Always deep copies: frames cross
// threads, and a QImage that aliases a buffer owned by a finished job would dangle.
#include "core/edit/types.h"

#include <QImage>

namespace pae::ui {

QImage toQImage(const pae::ImageRGB& image);
pae::ImageRGB toImageRGB(const QImage& image);

} // namespace pae::ui
