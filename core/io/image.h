#pragma once
// 8-bit RGB images on disk and as tensors. Files are decoded and encoded by OpenCV;
// channels are always RGB here (OpenCV's BGR never leaves image.cpp).
#include "core/edit/types.h"

#include <torch/types.h>

#include <filesystem>

namespace pae::io {

// Any format OpenCV reads; grey and alpha images become RGB. Errors name the file.
ImageRGB readImage(const std::filesystem::path& path);

// Format from the extension: .png, .jpg/.jpeg, .webp, .bmp (case-insensitive); written
// atomically. JPEG and WebP at quality 95.
void writeImage(const ImageRGB& image, const std::filesystem::path& path);
// True when writeImage can tell the format from the path's extension.
bool isWritableImagePath(const std::filesystem::path& path);

// float32 [1,3,H,W] in [0,1] on the CPU.
torch::Tensor imageToTensor(const ImageRGB& image);

// From [3,H,W] or [1,3,H,W] in [0,1], any floating dtype or device: clamped, rounded.
ImageRGB tensorToImage(const torch::Tensor& chw01);

// Area averaging when shrinking (no aliasing in previews), bicubic when enlarging.
ImageRGB resizeImage(const ImageRGB& image, int width, int height);

} // namespace pae::io
