#pragma once
// 8-bit RGB images on disk and as tensors. Files are decoded and encoded by OpenCV;
// channels are always RGB here (OpenCV's BGR never leaves image.cpp).
#include "core/util/value_types.h"

#include <torch/types.h>

#include <filesystem>

namespace pae::io {

// The most pixels (width × height) an input image may have: 100 MP, about 300 MB decoded.
// Larger files are refused before they are decoded (PNG, JPEG, WebP, BMP: from the header;
// other formats after decoding); a 50 MP photo is fine (face detection searches a shrunk
// copy).
inline constexpr int64_t kMaxImagePixels = 100'000'000;

// Any format OpenCV reads; grey and alpha images become RGB. Errors name the file.
// JPEGs are checked with libjpeg first: a truncated one, or one whose data libjpeg reports
// as corrupt, is refused (libjpeg would fill the gaps with grey).
ImageRGB readImage(const std::filesystem::path& path);
// The same from bytes in memory; `source` names them in errors (the image fuzzer's entry).
ImageRGB decodeImage(const uint8_t* data, size_t size, const std::string& source);

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
