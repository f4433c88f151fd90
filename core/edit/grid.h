#pragma once
#include "core/edit/types.h"

#include <string>
#include <vector>

namespace pae {

// Tiles side by side (row-major, `columns` per row), each with its label on a strip above
// it. Tiles of different sizes are scaled to the first tile's size. Used by `pae-cli
// sweep` and the UI's comparison export, so both give the same picture.
ImageRGB makeLabelledGrid(const std::vector<ImageRGB>& tiles, const std::vector<std::string>& labels, int columns);

} // namespace pae
