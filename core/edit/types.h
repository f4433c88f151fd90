#pragma once
// Plain value types that cross the core/UI boundary. No torch here: ui/ includes these.
#include <cstdint>
#include <string>
#include <vector>

namespace pae {

// 8-bit RGB, row-major, no padding: pixels.size() == width * height * 3.
struct ImageRGB {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;
    bool empty() const { return width == 0 || height == 0; }
};

// A W+ latent, [numLatents, styleDim], float32 row-major.
struct Latent {
    int numLatents = 0;
    int styleDim = 0;
    std::vector<float> values;
    bool empty() const { return values.empty(); }
};

enum class TargetKind { Text, Pae, PaePlus };
enum class ResolutionMode { Clip, Full };
enum class BasisKind { Pca, GramSchmidt };

// "text", "pae", "pae+"; UsageError otherwise.
TargetKind parseTargetKind(const std::string& text);
std::string toString(TargetKind kind);
// "clip", "full"
ResolutionMode parseResolutionMode(const std::string& text);
std::string toString(ResolutionMode mode);
// "pca", "gram-schmidt"
BasisKind parseBasisKind(const std::string& text);
std::string toString(BasisKind kind);

} // namespace pae
