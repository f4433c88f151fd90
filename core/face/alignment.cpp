#include "core/face/alignment.h"

#include "core/io/image_mat.h"
#include "core/util/error.h"

#include <opencv2/imgproc.hpp>

#ifdef PAE_HAVE_DLIB
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/serialize.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

namespace pae {
namespace fs = std::filesystem;
using io::asMat;
using io::checkImage;
using io::fromMat;

namespace {

Point2 operator+(Point2 a, Point2 b) { return {a[0] + b[0], a[1] + b[1]}; }
Point2 operator-(Point2 a, Point2 b) { return {a[0] - b[0], a[1] - b[1]}; }
Point2 operator*(Point2 a, double s) { return {a[0] * s, a[1] * s}; }
double length(Point2 a) { return std::hypot(a[0], a[1]); }

Point2 mean(const FaceLandmarks& l, int first, int last)
{
    Point2 sum{0, 0};
    for (int i = first; i <= last; ++i)
        sum = sum + l.points[size_t(i)];
    return sum * (1.0 / double(last - first + 1));
}

} // namespace

int alignedSizeFor(int generatorResolution) { return std::min(generatorResolution, 1024); }

double eyeSpan(const FaceLandmarks& l) { return length(l.points[45] - l.points[36]); }

double minimumEyeSpan(int generatorResolution) { return 48.0 * alignedSizeFor(generatorResolution) / 1024.0; }

void requireEditable(const AlignedFace& face, int generatorResolution, const std::string& what)
{
    const double span = eyeSpan(face.landmarks);
    const double least = minimumEyeSpan(generatorResolution);
    if (span < least)
        throw FaceChoiceError(what + ": face " + std::to_string(face.index) +
                              " is too small to edit: " + std::to_string(int(std::lround(span))) +
                              " pixels between the eyes' outer corners, at least " +
                              std::to_string(int(std::ceil(least))) + " for a " + std::to_string(generatorResolution) +
                              "² generator");
}

double FaceQuad::side() const { return length(corners[3] - corners[0]); }

Point2 FaceQuad::centre() const { return (corners[0] + corners[2]) * 0.5; }

FaceQuad ffhqQuad(const FaceLandmarks& l)
{
    const Point2 eyeLeft = mean(l, 36, 41);
    const Point2 eyeRight = mean(l, 42, 47);
    const Point2 eyeMid = (eyeLeft + eyeRight) * 0.5;
    const Point2 eyeToEye = eyeRight - eyeLeft;
    const Point2 mouthMid = (l.points[48] + l.points[54]) * 0.5;
    const Point2 eyeToMouth = mouthMid - eyeMid;
    // x: the square's horizontal half-axis, along the eyes and square to the eye-to-mouth
    // line (the two averaged); y: x turned a quarter clockwise (image y points down).
    Point2 x{eyeToEye[0] + eyeToMouth[1], eyeToEye[1] - eyeToMouth[0]};
    const double norm = length(x);
    if (!(norm > 1e-9))
        throw Error("alignment: the landmarks are degenerate (eyes and mouth on one point)");
    x = x * (std::max(length(eyeToEye) * 2.0, length(eyeToMouth) * 1.8) / norm);
    const Point2 y{-x[1], x[0]};
    const Point2 c = eyeMid + eyeToMouth * 0.1;
    FaceQuad q;
    q.corners = {c - x - y, c - x + y, c + x + y, c + x - y};
    return q;
}

std::array<double, 6> photoToCrop(const FaceQuad& quad, int size)
{
    // Corners are edges: the top-left corner is the outer edge of output pixel (0, 0),
    // whose centre OpenCV places at 0, so that corner lands on (-0.5, -0.5).
    const double e = double(size) - 0.5;
    const cv::Point2f from[3] = {{float(quad.corners[0][0]), float(quad.corners[0][1])},
                                 {float(quad.corners[1][0]), float(quad.corners[1][1])},
                                 {float(quad.corners[2][0]), float(quad.corners[2][1])}};
    const cv::Point2f to[3] = {{-0.5f, -0.5f}, {-0.5f, float(e)}, {float(e), float(e)}};
    const cv::Mat affine = cv::getAffineTransform(from, to);
    std::array<double, 6> m{};
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 3; ++c)
            m[size_t(r * 3 + c)] = affine.at<double>(r, c);
    return m;
}

ImageRGB warpQuad(const ImageRGB& image, const FaceQuad& quadIn, int size)
{
    checkImage(image, "alignment");
    if (size < 1)
        throw UsageError("alignment: the output size must be positive, not " + std::to_string(size));
    cv::Mat source = asMat(image);
    FaceQuad quad = quadIn;
    // Shrink the photo first when the quad is larger than the output, so the warp below
    // samples at about one source pixel per output pixel (no aliasing).
    const double shrink = quad.side() / double(size);
    cv::Mat shrunk;
    if (shrink > 1.0) {
        const int w = std::max(1, int(std::lround(image.width / shrink)));
        const int h = std::max(1, int(std::lround(image.height / shrink)));
        cv::resize(source, shrunk, cv::Size(w, h), 0, 0, cv::INTER_AREA);
        const double sx = double(w) / image.width, sy = double(h) / image.height;
        for (auto& p : quad.corners)
            p = {(p[0] + 0.5) * sx - 0.5, (p[1] + 0.5) * sy - 0.5};
        source = shrunk;
    }
    const std::array<double, 6> m = photoToCrop(quad, size);
    const cv::Mat affine(2, 3, CV_64F, const_cast<double*>(m.data()));
    cv::Mat out;
    cv::warpAffine(source, out, affine, cv::Size(size, size), cv::INTER_CUBIC, cv::BORDER_REFLECT_101);
    return fromMat(out);
}

// ── the detector ───────────────────────────────────────────────────────────────────

fs::path FaceAligner::defaultLandmarkModel()
{
    if (const char* env = std::getenv("PAE_LANDMARKS"); env && *env)
        return env;
    return "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
}

#ifdef PAE_HAVE_DLIB

struct FaceAligner::Impl {
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    dlib::shape_predictor predictor;
};

bool FaceAligner::available() { return true; }

FaceAligner::FaceAligner(const fs::path& landmarkModel) : m_impl(std::make_unique<Impl>())
{
    std::ifstream in(landmarkModel, std::ios::binary);
    if (!in)
        throw Error(landmarkModel.string() + ": cannot open the face landmark model (install Debian's libdlib-data, "
                                             "or point PAE_LANDMARKS at shape_predictor_68_face_landmarks.dat)");
    try {
        dlib::deserialize(m_impl->predictor, in);
    } catch (const std::exception& e) {
        throw Error(landmarkModel.string() + ": not a dlib shape predictor: " + std::string(e.what()).substr(0, 200));
    }
    if (m_impl->predictor.num_parts() != 68)
        throw Error(landmarkModel.string() + ": a landmark model with " +
                    std::to_string(m_impl->predictor.num_parts()) + " points; alignment needs the 68-point one");
}

std::vector<FaceLandmarks> FaceAligner::detect(const ImageRGB& image) const
{
    checkImage(image, "face detection");
    // Search a copy no larger than 1024 pixels, doubled once by the detector (its window is
    // 80 pixels, yet measured, a face box of ~62 pixels is missed and one of ~70 found); the
    // landmarks are found on the full photo.
    constexpr int kSearchSize = 1024;
    const double scale = std::min(1.0, double(kSearchSize) / double(std::max(image.width, image.height)));
    const auto toDlib = [](const cv::Mat& rgb) {
        dlib::matrix<dlib::rgb_pixel> m(rgb.rows, rgb.cols);
        for (int y = 0; y < rgb.rows; ++y) {
            const uint8_t* row = rgb.ptr<uint8_t>(y);
            for (int x = 0; x < rgb.cols; ++x)
                m(y, x) = dlib::rgb_pixel(row[3 * x], row[3 * x + 1], row[3 * x + 2]);
        }
        return m;
    };
    const cv::Mat full = asMat(image);
    const dlib::matrix<dlib::rgb_pixel> whole = toDlib(full);
    std::vector<dlib::rectangle> boxes;
    if (scale < 1.0) {
        cv::Mat small;
        cv::resize(full, small, cv::Size(), scale, scale, cv::INTER_AREA);
        for (const auto& r : m_impl->detector(toDlib(small), 1))
            boxes.emplace_back(long(std::lround(r.left() / scale)), long(std::lround(r.top() / scale)),
                               long(std::lround(r.right() / scale)), long(std::lround(r.bottom() / scale)));
    } else {
        boxes = m_impl->detector(whole, 1);
    }
    std::sort(boxes.begin(), boxes.end(), [](const auto& a, const auto& b) { return a.area() > b.area(); });
    std::vector<FaceLandmarks> faces;
    for (const auto& box : boxes) {
        const dlib::full_object_detection shape = m_impl->predictor(whole, box);
        FaceLandmarks l;
        for (unsigned long i = 0; i < 68; ++i)
            l.points[i] = {double(shape.part(i).x()), double(shape.part(i).y())};
        l.box = {int(box.left()), int(box.top()), int(box.width()), int(box.height())};
        faces.push_back(l);
    }
    return faces;
}

#else // no dlib in this build

struct FaceAligner::Impl {};

bool FaceAligner::available() { return false; }

FaceAligner::FaceAligner(const fs::path&)
{
    throw Error("face alignment: this build of PAE Studio has no dlib (install libdlib-dev and rebuild)");
}

std::vector<FaceLandmarks> FaceAligner::detect(const ImageRGB&) const { return {}; }

#endif

FaceAligner::~FaceAligner() = default;

AlignedFace FaceAligner::align(const ImageRGB& image, int size, const std::string& what, int index) const
{
    const std::vector<FaceLandmarks> faces = detect(image);
    if (faces.empty())
        throw FaceChoiceError(what +
                              ": no face found (the detector needs a frontal face at least about 70 pixels wide, "
                              "in photos longer than 1024 pixels about 7% of the longer side)");
    if (index < 0 || index >= int(faces.size()))
        throw FaceChoiceError(
            what + ": face " + std::to_string(index) + " asked for, but " +
            (faces.size() == 1 ? std::string("only one face was") : std::to_string(faces.size()) + " faces were") +
            " found (faces are numbered from 0, the largest first)");
    AlignedFace out;
    out.facesFound = int(faces.size());
    out.index = index;
    for (const FaceLandmarks& f : faces)
        out.boxes.push_back(f.box);
    out.landmarks = faces[size_t(index)];
    out.quad = ffhqQuad(out.landmarks);
    out.image = warpQuad(image, out.quad, size);
    return out;
}

} // namespace pae
