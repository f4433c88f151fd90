#pragma once
// Putting an edited face back into the photo it was cut from: the inverse of the alignment
// warp at the photo's own resolution, blended through a soft mask drawn from the 68
// landmarks (face outline and forehead, feathered, zero before the crop's border), with the
// edit's colours matched to the photo around the face. Pixels outside the mask are the
// photo's own bytes.
#include "core/edit/alignment.h"

#include <array>
#include <string>
#include <vector>

namespace pae {

// What of the crop goes back: the face (outline and forehead) or the whole crop, faded
// towards its border (for edits of hair, which the face mask leaves out).
enum class PasteRegion { Face, Crop };
// "face", "crop"; UsageError otherwise.
PasteRegion parsePasteRegion(const std::string& text);
std::string toString(PasteRegion region);

// The blend mask in crop coordinates: size × size values in [0, 1], row-major. Face: 1 inside
// the jaw line and a forehead raised above the brows, feathered by a Gaussian of σ = 2.5% of
// the side; Crop: 1 in the middle. Both are 0 on the crop's outer 2% and reach their full
// value only 6% (face) or 12% (crop) in from the border.
std::vector<float> pasteMask(const FaceLandmarks& landmarks, const FaceQuad& quad, int size, PasteRegion region);

struct PasteOptions {
    PasteRegion region = PasteRegion::Face;
    // Shift the crop's mean colour to the photo's in the mask's fade band (the generator's
    // colours drift from the photo's); off: the crop's colours as they are.
    bool matchColours = true;
};

struct PasteResult {
    ImageRGB image;                        // the photo's size
    std::array<float, 3> colourShift{};    // added to the crop's R, G, B (0 without matching)
    // The blend weight of each photo pixel in maskBox (left, top, width, height; row-major,
    // width × height values): 0 keeps the photo's byte, 1 takes the edit's. Outside the box,
    // every pixel is the photo's own.
    std::array<int, 4> maskBox{};
    std::vector<float> mask;
};

// `crop`: a square image of the face cut from `photo` by `quad` (any side: the generator's
// resolution, or the aligned crop itself). The photo comes back at its own size; the crop is
// area-averaged first when the face is smaller in the photo than the crop (no aliasing) and
// bicubic otherwise. Throws Error when an image is empty or the crop is not square.
PasteResult pasteBack(const ImageRGB& photo, const FaceLandmarks& landmarks, const FaceQuad& quad,
                      const ImageRGB& crop, const PasteOptions& options = {});

} // namespace pae
