#pragma once
// Putting an edited face back into the photo it was cut from: the inverse of the alignment
// warp at the photo's own resolution, blended through a soft mask drawn from the 68
// landmarks (face outline and forehead, feathered, zero before the crop's border), with the
// edit's colours matched to the photo around the face. Pixels outside the mask are the
// photo's own bytes.
#include "core/face/alignment.h"

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
    ImageRGB image;                     // the photo's size
    std::array<float, 3> colourShift{}; // added to the crop's R, G, B (0 without matching)
    // The blend weight of each photo pixel in maskBox (left, top, width, height; row-major,
    // width × height values): 0 keeps the photo's byte, 1 takes the edit's. Outside the box,
    // every pixel is the photo's own.
    std::array<int, 4> maskBox{};
    std::vector<float> mask;
};

// Everything of a paste-back that depends only on where the face sits and the crop's side:
// the mask warped into the photo, the region it covers, the warp, and the photo's own crop
// for the colour match. Made once per face and size, it pastes every frame of an edit (the
// studio's previews) without touching the rest of the photo.
class PastePlan {
public:
    // Throws Error when the photo is empty or cropSize is not positive.
    PastePlan(const ImageRGB& photo, const FaceLandmarks& landmarks, const FaceQuad& quad, int cropSize,
              const PasteOptions& options = {});
    int cropSize() const { return m_size; }
    int photoWidth() const { return m_photoWidth; }
    int photoHeight() const { return m_photoHeight; }
    // The photo pixels written (left, top, width, height) and their blend weights, row-major:
    // 0 keeps the photo's byte, 1 takes the edit's.
    const std::array<int, 4>& maskBox() const { return m_box; }
    const std::vector<float>& mask() const { return m_mask; }
    // Blends `crop` (cropSize², Error otherwise) into `pixels`, an RGB image of the plan's
    // photo size whose rows lie `stride` bytes apart (the photo, or the photo with other faces
    // pasted). Only maskBox is touched, and there only where the mask is above 0. Returns
    // the shift added to the crop's R, G, B.
    std::array<float, 3> pasteInto(const ImageRGB& crop, uint8_t* pixels, size_t stride) const;

private:
    int m_photoWidth = 0, m_photoHeight = 0, m_size = 0;
    int m_side = 0;                        // the face's side in the photo: the crop is shrunk to it when larger
    std::array<double, 6> m_roiToSource{}; // photo pixel (left + x, top + y) → shrunk-crop coordinates
    bool m_matchColours = true;
    std::vector<float> m_band; // colour-match weights 4m(1−m) in crop coordinates, ×3 channels
    double m_bandWeight = 0;
    std::array<double, 3> m_photoBandSum{}; // the photo's own crop, weighted by the band
    std::array<int, 4> m_box{};
    std::vector<float> m_mask;
};

// `crop`: a square image of the face cut from `photo` by `quad` (any side: the generator's
// resolution, or the aligned crop itself). The photo comes back at its own size; the crop is
// area-averaged first when the face is smaller in the photo than the crop (no aliasing) and
// bicubic otherwise. Throws Error when an image is empty or the crop is not square.
PasteResult pasteBack(const ImageRGB& photo, const FaceLandmarks& landmarks, const FaceQuad& quad, const ImageRGB& crop,
                      const PasteOptions& options = {});

} // namespace pae
