#pragma once
// The procedural SynthFace renderer: a stylized frontal cartoon face drawn from an
// attribute vector. Pure function of (attributes, size): the same inputs give the same
// bytes, so training sets are reproducible from seeds. Torch-free.
#include "core/edit/types.h"
#include "core/synthface/attributes.h"

#include <filesystem>
#include <vector>

namespace pae::synthface {

constexpr int kMinRenderSize = 32;
constexpr int kMaxRenderSize = 1024;

// A size × size RGB image. Throws pae::Error for a size outside
// [kMinRenderSize, kMaxRenderSize]. (Attributes are range-checked when they are set.)
ImageRGB render(const Attributes& attributes, int size);

// Where parts sit in the image, as fractions of its side (x right, y down, [0,1]²): for
// tests and for cropping a part when reading attributes back.
struct UnitBox {
    double x0, y0, x1, y1;
};
// The mouth at every width, smile and opening. A beard reaches in, and so does the jaw
// line of the narrowest faces at the box's lower corners.
UnitBox mouthRegion();
UnitBox eyesRegion();    // both eyes at every size and opening (angry brows dip in)
UnitBox hairTopRegion(); // the crown above the highest brows: fringe, crown or bald scalp

// Images side by side in rows of `columns`, separated by `gap` pixels of dark grey. All
// images must have the same size; pae::Error otherwise.
ImageRGB tileImages(const std::vector<ImageRGB>& images, int columns, int gap);


} // namespace pae::synthface
