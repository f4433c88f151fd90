#pragma once
// Exports beyond one image file: scaling a face up or down with a named filter, and videos
// through OpenCV's VideoWriter. Torch-free, so ui/ can call it.
#include "core/util/value_types.h"

#include <filesystem>
#include <string>
#include <vector>

namespace pae::io {

enum class ScaleFilter {
    Nearest, // crisp pixels: every source pixel a square block
    Bicubic, // smooth
    Lanczos, // smooth and sharper (Lanczos-4)
};
std::string toString(ScaleFilter filter);
// "nearest", "bicubic", "lanczos"; Error naming the text otherwise.
ScaleFilter parseScaleFilter(const std::string& text);

// To width × height with `filter` when enlarging; shrinking always averages areas (no aliasing).
ImageRGB scaleImage(const ImageRGB& image, int width, int height, ScaleFilter filter);

// Whether this build of OpenCV can write videos of the path's kind (.mp4, .webm).
bool canWriteVideo(const std::filesystem::path& path);
// .mp4 (MPEG-4 part 2) or .webm (VP8), frames scaled to the first frame's size, written
// beside the target and renamed into place. Error naming the file when the codec is missing
// or writing fails.
void writeVideo(const std::vector<ImageRGB>& frames, const std::filesystem::path& path, double fps);

} // namespace pae::io
