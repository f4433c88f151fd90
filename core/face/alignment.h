#pragma once
// FFHQ face alignment: finds a face in a photo (dlib's HOG detector and its 68-point
// landmark model, Debian package libdlib-data) and crops the square that FFHQ's faces were
// cut from: eyes level, face centred, the square's side set by the eye distance and the
// eye-to-mouth distance. A real StyleGAN2 (stylegan2-ffhq-config-f) only reproduces photos
// framed this way, so a photo is aligned before it is inverted.
//
// The geometry (ffhqQuad, warpQuad) is plain code; FaceAligner needs dlib, and a build
// without it throws an Error saying so from its constructor.
#include "core/util/error.h"
#include "core/util/value_types.h"

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pae {

using Point2 = std::array<double, 2>; // x, y in image pixels

// The 68 points of the iBUG 300-W layout (dlib's order): 36–41 the left eye in the image,
// 42–47 the right one, 48 and 54 the mouth's corners.
struct FaceLandmarks {
    std::array<Point2, 68> points{};
    // The detector's box: left, top, width, height.
    std::array<int, 4> box{};
};

// The square to crop, by its corners: top-left, bottom-left, bottom-right, top-right.
struct FaceQuad {
    std::array<Point2, 4> corners{};
    double side() const; // length of the top edge
    Point2 centre() const;
};

// FFHQ's recipe (NVlabs ffhq-dataset): the centre sits a tenth of the way from the eyes'
// midpoint to the mouth's; the square is turned so the eyes are level, and its side is the
// larger of 4 × the eye distance and 3.6 × the eye-to-mouth distance.
FaceQuad ffhqQuad(const FaceLandmarks& landmarks);

// The affine map from photo coordinates to those of the quad cut out as a size × size image
// (row-major 2×3): the quad's corners land on the image's outer pixel edges.
std::array<double, 6> photoToCrop(const FaceQuad& quad, int size);

// The quad as a size × size image: area-averaged first when the quad is larger than the
// output (no aliasing), bicubic otherwise; outside the photo the image is mirrored.
ImageRGB warpQuad(const ImageRGB& image, const FaceQuad& quad, int size);

// The side to align a photo to before inverting it: the generator's resolution, at most
// 1024 (the inversion compares at ≤ 256² anyway).
int alignedSizeFor(int generatorResolution);

// The photo has no face, not the one asked for, or one too small to edit.
class FaceChoiceError : public Error {
public:
    using Error::Error;
};

struct AlignedFace {
    ImageRGB image;          // size × size
    FaceLandmarks landmarks; // in the input photo
    FaceQuad quad;           // in the input photo
    int facesFound = 0;
    int index = 0;                         // which of them, 0 the largest
    std::vector<std::array<int, 4>> boxes; // every face's detector box, largest first
};

// The distance between the eyes' outer corners (points 36 and 45) in photo pixels, and the
// least a face needs to be edited with a generator of this resolution: 48 pixels for 1024²
// (the aligned square is then about 150 pixels of the photo, enlarged about 7 times),
// scaled with the aligned size below it. The astronaut of the tests (60 pixels) passes.
double eyeSpan(const FaceLandmarks& landmarks);
double minimumEyeSpan(int generatorResolution);
// Throws FaceChoiceError "<what>: face N is too small to edit: … pixels between the eyes'
// outer corners, at least … for a R² generator" (faces are numbered from 0, largest first).
void requireEditable(const AlignedFace& face, int generatorResolution, const std::string& what);

class FaceAligner {
public:
    // Loads the landmark model (about 0.4 s). Throws Error naming the file when it is missing
    // or not a dlib shape predictor, or saying that this build has no dlib.
    explicit FaceAligner(const std::filesystem::path& landmarkModel = defaultLandmarkModel());
    ~FaceAligner();
    FaceAligner(const FaceAligner&) = delete;
    FaceAligner& operator=(const FaceAligner&) = delete;

    // $PAE_LANDMARKS when set, else Debian's /usr/share/dlib/shape_predictor_68_face_landmarks.dat.
    static std::filesystem::path defaultLandmarkModel();
    // False when this build has no dlib (FaceAligner's constructor would throw).
    static bool available();

    // Every face found, largest first. Photos larger than 1024 pixels are searched at that
    // size; faces down to about 70 pixels wide are found (a ~62-pixel face box is missed).
    std::vector<FaceLandmarks> detect(const ImageRGB& image) const;
    // Face `index` (0: the largest), aligned to size × size. Throws FaceChoiceError "<what>:
    // no face found …" when there is none, and names the count when there are fewer than asked for.
    AlignedFace align(const ImageRGB& image, int size, const std::string& what, int index = 0) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace pae
