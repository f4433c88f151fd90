#pragma once
// The plain values every layer passes around: an 8-bit image and a W+ latent. No torch and
// no Qt here: the bottom layer, included by io, models, pae, the engine and ui alike.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace pae {

// 8-bit RGB, row-major, no padding: pixels.size() == width * height * 3.
struct ImageRGB {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;
    bool empty() const { return width == 0 || height == 0; }
    // Not empty, and the buffer holds exactly width × height RGB pixels.
    bool isValid() const
    {
        return width > 0 && height > 0 && pixels.size() == std::size_t(width) * std::size_t(height) * 3;
    }
};

// A W+ latent, [numLatents, styleDim], float32 row-major.
struct Latent {
    int numLatents = 0;
    int styleDim = 0;
    std::vector<float> values;
    bool empty() const { return values.empty(); }
};

} // namespace pae
