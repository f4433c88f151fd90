#include "core/face/paste_back.h"

#include "core/io/image_mat.h"
#include "core/util/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace pae {
using io::asMat;
using io::checkImage;
using io::fromMat;

namespace {

// Photo → crop coordinates for a crop of side `size` (the affine map warpQuad samples by).
cv::Matx23d cropAffine(const FaceQuad& quad, int size)
{
    const std::array<double, 6> m = photoToCrop(quad, size);
    return cv::Matx23d(m.data());
}

cv::Point2f apply(const cv::Matx23d& m, Point2 p)
{
    return {float(m(0, 0) * p[0] + m(0, 1) * p[1] + m(0, 2)), float(m(1, 0) * p[0] + m(1, 1) * p[1] + m(1, 2))};
}

// 0 on the outer `zero` share of each side, rising linearly to 1 at `full`.
cv::Mat borderRamp(int size, double zero, double full)
{
    cv::Mat ramp(size, size, CV_32F);
    const double z = zero * size, f = std::max(full * size, z + 1.0);
    for (int y = 0; y < size; ++y) {
        float* row = ramp.ptr<float>(y);
        for (int x = 0; x < size; ++x) {
            const double d = std::min({x + 0.5, y + 0.5, size - x - 0.5, size - y - 0.5});
            row[x] = float(std::clamp((d - z) / (f - z), 0.0, 1.0));
        }
    }
    return ramp;
}

cv::Mat maskMat(const FaceLandmarks& l, const FaceQuad& quad, int size, PasteRegion region)
{
    if (region == PasteRegion::Crop)
        return borderRamp(size, 0.02, 0.12);
    const cv::Matx23d m = cropAffine(quad, size);
    std::vector<cv::Point2f> points;
    for (int i = 0; i <= 16; ++i) // the jaw line, ear to ear
        points.push_back(apply(m, l.points[size_t(i)]));
    // The forehead: the brows (17–26) raised towards the hairline, by half the brow-to-chin
    // distance in the middle and less towards the temples (a forehead is rounded).
    cv::Point2f browMid(0, 0);
    for (int i = 17; i <= 26; ++i)
        browMid += apply(m, l.points[size_t(i)]) * 0.1f;
    const cv::Point2f chin = apply(m, l.points[8]);
    const cv::Point2f up = browMid - chin;
    for (int i = 17; i <= 26; ++i) {
        const double t = (i - 21.5) / 4.5; // -1 … 1 across the brows
        const double lift = 0.5 * (0.55 + 0.45 * (1.0 - t * t));
        points.push_back(apply(m, l.points[size_t(i)]) + up * float(lift));
    }
    std::vector<cv::Point2f> hull;
    cv::convexHull(points, hull);
    std::vector<cv::Point> polygon;
    for (const auto& p : hull) // fillConvexPoly's fixed point: 4 fractional bits
        polygon.emplace_back(int(std::lround(p.x * 16)), int(std::lround(p.y * 16)));
    cv::Mat mask = cv::Mat::zeros(size, size, CV_32F);
    cv::fillConvexPoly(mask, polygon, cv::Scalar(1.0), cv::LINE_AA, 4);
    const double sigma = 0.025 * size;
    cv::GaussianBlur(mask, mask, cv::Size(0, 0), sigma, sigma, cv::BORDER_CONSTANT);
    return mask.mul(borderRamp(size, 0.02, 0.06));
}

} // namespace

PasteRegion parsePasteRegion(const std::string& text)
{
    if (text == "face")
        return PasteRegion::Face;
    if (text == "crop")
        return PasteRegion::Crop;
    throw UsageError("unknown paste region '" + text + "' (use face or crop)");
}

std::string toString(PasteRegion region) { return region == PasteRegion::Face ? "face" : "crop"; }

std::vector<float> pasteMask(const FaceLandmarks& landmarks, const FaceQuad& quad, int size, PasteRegion region)
{
    if (size < 1)
        throw UsageError("paste mask: the size must be positive, not " + std::to_string(size));
    const cv::Mat mask = maskMat(landmarks, quad, size, region);
    return std::vector<float>(mask.begin<float>(), mask.end<float>());
}

PastePlan::PastePlan(const ImageRGB& photo, const FaceLandmarks& landmarks, const FaceQuad& quad, int cropSize,
                     const PasteOptions& options)
    : m_photoWidth(photo.width), m_photoHeight(photo.height), m_size(cropSize), m_matchColours(options.matchColours)
{
    checkImage(photo, "paste-back: the photo");
    if (cropSize < 1)
        throw Error("paste-back: the crop's side must be positive, not " + std::to_string(cropSize));
    const int size = cropSize;
    const cv::Mat mask = maskMat(landmarks, quad, size, options.region);
    if (m_matchColours) {
        // The photo's own crop, at the same size: where the mask fades (weight 4m(1−m)) the
        // edit meets the photo, so their mean colours there should agree.
        cv::Mat original;
        asMat(warpQuad(photo, quad, size)).convertTo(original, CV_32FC3);
        const cv::Mat band = mask.mul(1.0 - mask) * 4.0;
        m_bandWeight = cv::sum(band)[0];
        cv::Mat b3;
        cv::merge(std::vector<cv::Mat>{band, band, band}, b3);
        const cv::Scalar a = cv::sum(original.mul(b3));
        m_photoBandSum = {a[0], a[1], a[2]};
        m_band.assign(reinterpret_cast<const float*>(b3.datastart), reinterpret_cast<const float*>(b3.dataend));
    }

    // The region of the photo the crop covers (the quad's bounding box, a pixel of margin).
    double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
    for (const auto& c : quad.corners) {
        x0 = std::min(x0, c[0]);
        y0 = std::min(y0, c[1]);
        x1 = std::max(x1, c[0]);
        y1 = std::max(y1, c[1]);
    }
    const int left = std::clamp(int(std::floor(x0)) - 1, 0, photo.width);
    const int top = std::clamp(int(std::floor(y0)) - 1, 0, photo.height);
    const int right = std::clamp(int(std::ceil(x1)) + 2, 0, photo.width);
    const int bottom = std::clamp(int(std::ceil(y1)) + 2, 0, photo.height);
    if (right <= left || bottom <= top)
        return; // the face lies outside the photo: nothing to write
    m_box = {left, top, right - left, bottom - top};

    // Shrink the crop (and its mask) to the face's size in the photo first when it is larger,
    // so the warp samples about one crop pixel per photo pixel.
    cv::Matx23d toCrop = cropAffine(quad, size);
    m_side = std::min(size, std::max(1, int(std::lround(quad.side()))));
    cv::Mat sourceMask = mask;
    if (m_side < size) {
        cv::resize(mask, sourceMask, cv::Size(m_side, m_side), 0, 0, cv::INTER_AREA);
        const double s = double(m_side) / size;
        for (int c = 0; c < 3; ++c) {
            toCrop(0, c) *= s;
            toCrop(1, c) *= s;
        }
        toCrop(0, 2) += 0.5 * s - 0.5;
        toCrop(1, 2) += 0.5 * s - 0.5;
    }
    cv::Matx23d roiToCrop = toCrop;
    roiToCrop(0, 2) += toCrop(0, 0) * left + toCrop(0, 1) * top;
    roiToCrop(1, 2) += toCrop(1, 0) * left + toCrop(1, 1) * top;
    for (int k = 0; k < 6; ++k)
        m_roiToSource[size_t(k)] = roiToCrop(k / 3, k % 3);
    cv::Mat warpedMask;
    cv::warpAffine(sourceMask, warpedMask, cv::Mat(roiToCrop), cv::Size(m_box[2], m_box[3]),
                   cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar(0));
    // Only where the mask is above 0 is anything written: the box shrinks to that (a face
    // mask covers about half of its crop), and so does every frame's warp.
    int bx0 = m_box[2], by0 = m_box[3], bx1 = -1, by1 = -1;
    for (int y = 0; y < m_box[3]; ++y)
        for (int x = 0; x < m_box[2]; ++x)
            if (warpedMask.at<float>(y, x) > 0.0f) {
                bx0 = std::min(bx0, x);
                bx1 = std::max(bx1, x);
                by0 = std::min(by0, y);
                by1 = std::max(by1, y);
            }
    if (bx1 < 0) {
        m_box = {};
        return;
    }
    m_roiToSource[2] += m_roiToSource[0] * bx0 + m_roiToSource[1] * by0;
    m_roiToSource[5] += m_roiToSource[3] * bx0 + m_roiToSource[4] * by0;
    m_box = {left + bx0, top + by0, bx1 - bx0 + 1, by1 - by0 + 1};
    m_mask.resize(size_t(m_box[2]) * size_t(m_box[3]));
    for (int y = 0; y < m_box[3]; ++y)
        for (int x = 0; x < m_box[2]; ++x)
            m_mask[size_t(y) * m_box[2] + x] = std::clamp(warpedMask.at<float>(by0 + y, bx0 + x), 0.0f, 1.0f);
}

std::array<float, 3> PastePlan::pasteInto(const ImageRGB& crop, uint8_t* pixels, size_t stride) const
{
    checkImage(crop, "paste-back: the edited face");
    if (crop.width != crop.height)
        throw Error("paste-back: the edited face is " + std::to_string(crop.width) + "×" + std::to_string(crop.height) +
                    ", not square");
    if (crop.width != m_size)
        throw Error("paste-back: the edited face is " + std::to_string(crop.width) + "², the plan was made for " +
                    std::to_string(m_size) + "²");
    cv::Mat face;
    asMat(crop).convertTo(face, CV_32FC3);
    std::array<float, 3> shift{};
    if (m_matchColours && m_bandWeight > 1e-6) {
        const cv::Mat b3(m_size, m_size, CV_32FC3, const_cast<float*>(m_band.data()));
        const cv::Scalar b = cv::sum(face.mul(b3));
        for (int c = 0; c < 3; ++c)
            shift[size_t(c)] = float((m_photoBandSum[size_t(c)] - b[c]) / m_bandWeight);
        face += cv::Scalar(shift[0], shift[1], shift[2]);
    }
    if (m_box[2] <= 0 || m_box[3] <= 0)
        return shift;
    cv::Mat source = face;
    if (m_side < m_size)
        cv::resize(face, source, cv::Size(m_side, m_side), 0, 0, cv::INTER_AREA);
    cv::Mat warped;
    cv::warpAffine(source, warped, cv::Mat(cv::Matx23d(m_roiToSource.data())), cv::Size(m_box[2], m_box[3]),
                   cv::INTER_CUBIC | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    for (int y = 0; y < m_box[3]; ++y) {
        const float* m = m_mask.data() + size_t(y) * m_box[2];
        const cv::Vec3f* e = warped.ptr<cv::Vec3f>(y);
        uint8_t* out = pixels + size_t(m_box[1] + y) * stride + size_t(m_box[0]) * 3;
        for (int x = 0; x < m_box[2]; ++x) {
            const float a = m[x];
            if (a <= 0.0f)
                continue;
            for (int c = 0; c < 3; ++c) { // rounded half up, as lround for these non-negative values
                const float v = a * e[x][c] + (1.0f - a) * float(out[3 * x + c]);
                out[3 * x + c] = uint8_t(std::clamp(v, 0.0f, 255.0f) + 0.5f);
            }
        }
    }
    return shift;
}

PasteResult pasteBack(const ImageRGB& photo, const FaceLandmarks& landmarks, const FaceQuad& quad, const ImageRGB& crop,
                      const PasteOptions& options)
{
    checkImage(photo, "paste-back: the photo");
    checkImage(crop, "paste-back: the edited face");
    if (crop.width != crop.height)
        throw Error("paste-back: the edited face is " + std::to_string(crop.width) + "×" + std::to_string(crop.height) +
                    ", not square");
    const PastePlan plan(photo, landmarks, quad, crop.width, options);
    PasteResult result;
    result.image = photo;
    result.colourShift = plan.pasteInto(crop, result.image.pixels.data(), size_t(photo.width) * 3);
    result.maskBox = plan.maskBox();
    result.mask = plan.mask();
    return result;
}

} // namespace pae
