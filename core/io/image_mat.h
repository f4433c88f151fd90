#pragma once
// ImageRGB ↔ cv::Mat for core code that calls OpenCV itself (kept out of image.h, which
// the UI includes without OpenCV).
#include "core/util/value_types.h"

#include <opencv2/core/mat.hpp>

#include <string>

namespace pae::io {

// A CV_8UC3 view of the RGB buffer (no copy); OpenCV must never write through it.
cv::Mat asMat(const ImageRGB& image);
// A copy of an 8-bit, 3-channel matrix, channels taken as RGB.
ImageRGB fromMat(const cv::Mat& rgb);
// Throws Error "<what>: …" unless the image is non-empty and its buffer holds width × height × 3 bytes.
void checkImage(const ImageRGB& image, const std::string& what);

} // namespace pae::io
