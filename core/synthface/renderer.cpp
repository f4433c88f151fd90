#include "core/synthface/renderer.h"

#include "core/util/error.h"
#include "core/util/paths.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace pae::synthface {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Sub-pixel bits for OpenCV's fixed-point drawing: shapes move smoothly with attributes
// instead of jumping a whole pixel.
constexpr int kShift = 4;
// The layout below is drawn in "face units"; the image shows them magnified about the
// face, so the features stay readable at 64².
constexpr double kZoom = 1.2;
constexpr double kFocusX = 0.5, kFocusY = 0.54;

struct P {
    double x, y;
};

P toImage(P p) { return {(p.x - kFocusX) * kZoom + 0.5, (p.y - kFocusY) * kZoom + 0.5}; }
using Poly = std::vector<P>;

struct Rgb {
    double r, g, b;
};

Rgb mixRgb(Rgb a, Rgb b, double t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }
Rgb shade(Rgb c, double f) { return {c.r * f, c.g * f, c.b * f}; }

Rgb hsv(double h, double s, double v)
{
    h = (h - std::floor(h)) * 6.0;
    const int i = static_cast<int>(h) % 6;
    const double f = h - std::floor(h);
    const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    double r = v, g = t, b = p;
    switch (i) {
    case 0:
        r = v, g = t, b = p;
        break;
    case 1:
        r = q, g = v, b = p;
        break;
    case 2:
        r = p, g = v, b = t;
        break;
    case 3:
        r = p, g = q, b = v;
        break;
    case 4:
        r = t, g = p, b = v;
        break;
    default:
        r = v, g = p, b = q;
        break;
    }
    return {255 * r, 255 * g, 255 * b};
}

Rgb skinColor(double tone)
{
    static const Rgb stops[] = {{255, 226, 204}, {236, 188, 150}, {188, 126, 86}, {100, 63, 43}};
    const double x = std::clamp(tone, 0.0, 1.0) * 3.0;
    const int i = std::min(2, static_cast<int>(x));
    return mixRgb(stops[i], stops[i + 1], x - i);
}

Rgb paletteColor(HairColorIndex c)
{
    switch (c) {
    case HairColorIndex::Black:
        return {36, 32, 32};
    case HairColorIndex::Brown:
        return {112, 68, 38};
    case HairColorIndex::Blonde:
        return {240, 204, 108};
    case HairColorIndex::Red:
        return {196, 72, 30};
    case HairColorIndex::Grey:
        return {178, 180, 188};
    case HairColorIndex::Count:
        break;
    }
    throw Error("hair colour index out of range");
}

// A position between two palette entries blends them; a whole index is the entry itself.
Rgb hairColor(float position)
{
    const int lo = std::clamp(static_cast<int>(std::floor(position)), 0, kHairColorCount - 1);
    const double t = double(position) - lo;
    const Rgb a = paletteColor(static_cast<HairColorIndex>(lo));
    if (t <= 0.0 || lo + 1 >= kHairColorCount)
        return a;
    return mixRgb(a, paletteColor(static_cast<HairColorIndex>(lo + 1)), t);
}

class Canvas {
public:
    explicit Canvas(int px) : img_(px, px, CV_8UC3), scale_(px * double(1 << kShift)), px_(px) {}

    cv::Mat& mat() { return img_; }

    // Draws what `draw` draws at this opacity: all of it at 1 or more, nothing at 0 or less,
    // and in between blended over what was there (one layer of a graded attribute).
    template <class Draw> void withOpacity(double opacity, Draw&& draw)
    {
        if (opacity <= 0.0)
            return;
        if (opacity >= 1.0) {
            draw();
            return;
        }
        const cv::Mat under = img_.clone();
        draw();
        cv::addWeighted(img_, opacity, under, 1.0 - opacity, 0.0, img_);
    }

    void clear(Rgb c) { img_.setTo(scalar(c)); }

    void fill(const Poly& poly, Rgb c) { fill(std::vector<Poly>{poly}, c); }

    // Several contours in one call fill by the even-odd rule: a ring is two contours.
    void fill(const std::vector<Poly>& polys, Rgb c)
    {
        std::vector<std::vector<cv::Point>> pts(polys.size());
        for (size_t k = 0; k < polys.size(); ++k) {
            pts[k].reserve(polys[k].size());
            for (const P& q : polys[k]) {
                const P p = toImage(q);
                pts[k].emplace_back(static_cast<int>(std::lround(p.x * scale_)),
                                    static_cast<int>(std::lround(p.y * scale_)));
            }
        }
        cv::fillPoly(img_, pts, scalar(c), cv::LINE_AA, kShift);
    }

    // A line of `width` (unit coordinates) along `path`, with round ends; drawn as a filled
    // outline so its width is exact at every image size (OpenCV's thickness is whole pixels).
    void stroke(const Poly& path, double width, Rgb c, bool closed = false)
    {
        const size_t n = path.size();
        if (n < 2)
            return;
        Poly left, right;
        left.reserve(n);
        right.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const P& a = closed ? path[(i + n - 1) % n] : path[i == 0 ? 0 : i - 1];
            const P& b = closed ? path[(i + 1) % n] : path[i + 1 == n ? n - 1 : i + 1];
            double dx = b.x - a.x, dy = b.y - a.y;
            const double len = std::hypot(dx, dy);
            if (len > 0)
                dx /= len, dy /= len;
            const double h = width / 2;
            left.push_back({path[i].x - dy * h, path[i].y + dx * h});
            right.push_back({path[i].x + dy * h, path[i].y - dx * h});
        }
        if (closed) {
            fill(std::vector<Poly>{left, right}, c);
            return;
        }
        std::reverse(right.begin(), right.end());
        left.insert(left.end(), right.begin(), right.end());
        fill(left, c);
        disc(path.front(), width / 2, c);
        disc(path.back(), width / 2, c);
    }

    void disc(P center, double r, Rgb c) { fill(ellipse(center, r, r), c); }

    // Enough vertices that the outline looks round at this pixel size, few enough to stay fast.
    int segments(double radius) const { return std::clamp(static_cast<int>(radius * kZoom * px_ * 1.2), 12, 72); }

    Poly ellipse(P c, double rx, double ry, double t0 = 0, double t1 = 2 * kPi) const
    {
        const bool full = t1 - t0 >= 2 * kPi - 1e-9;
        const int n = segments(std::max(rx, ry));
        Poly out;
        out.reserve(n + 1);
        const int count = full ? n : n + 1;
        for (int i = 0; i < count; ++i) {
            const double t = t0 + (t1 - t0) * i / n;
            out.push_back({c.x + rx * std::cos(t), c.y + ry * std::sin(t)});
        }
        return out;
    }

private:
    static cv::Scalar scalar(Rgb c)
    {
        return cv::Scalar(std::clamp(c.r, 0.0, 255.0), std::clamp(c.g, 0.0, 255.0), std::clamp(c.b, 0.0, 255.0));
    }

    cv::Mat img_;
    double scale_;
    int px_;
};

// Same-length arc steps, so that bumps along an outline (curls) have an even pitch.
Poly resample(const Poly& path, double step, bool closed)
{
    Poly out;
    if (path.empty())
        return out;
    out.push_back(path.front());
    double carry = 0;
    const size_t n = path.size();
    const size_t segs = closed ? n : n - 1;
    for (size_t i = 0; i < segs; ++i) {
        const P a = path[i], b = path[(i + 1) % n];
        const double len = std::hypot(b.x - a.x, b.y - a.y);
        double d = step - carry;
        while (d <= len) {
            const double t = d / len;
            out.push_back({a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t});
            d += step;
        }
        carry = len - (d - step);
    }
    if (!closed && (out.back().x != path.back().x || out.back().y != path.back().y))
        out.push_back(path.back());
    return out;
}

// Pushes each vertex outwards (to the left of the walking direction) by amp·|sin|: rows
// of round bumps, the cartoon sign of curls. amp = 0 leaves the outline smooth.
Poly scallop(const Poly& path, double amp, double pitch, bool closed)
{
    if (amp <= 0)
        return path;
    const size_t n = path.size();
    Poly out(n);
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
        if (i > 0)
            s += std::hypot(path[i].x - path[i - 1].x, path[i].y - path[i - 1].y);
        const P& a = closed ? path[(i + n - 1) % n] : path[i == 0 ? 0 : i - 1];
        const P& b = closed ? path[(i + 1) % n] : path[i + 1 == n ? n - 1 : i + 1];
        double dx = b.x - a.x, dy = b.y - a.y;
        const double len = std::hypot(dx, dy);
        if (len > 0)
            dx /= len, dy /= len;
        const double off = amp * std::abs(std::sin(kPi * s / pitch));
        out[i] = {path[i].x + dy * off, path[i].y - dx * off};
    }
    return out;
}

// Layout of the face in the unit square. Every position is a function of the attributes
// alone, and each attribute moves only its own part (plus what is attached to it:
// glasses sit on the eyes, which sit on the head).
struct Layout {
    double cx = 0.5, cy = 0.52; // head centre
    double a = 0.26, b = 0.30;  // head half-width / half-height
    double eyeY = 0.495, eyeDx = 0.11;
    double mouthY = 0.685;
};

// The head is an egg: the jaw narrows below the cheekbones.
P headPoint(const Layout& L, double t, double grow = 0)
{
    const double s = std::sin(t);
    const double taper = 1.0 - 0.2 * std::max(0.0, s) * std::max(0.0, s);
    return {L.cx + (L.a + grow) * std::cos(t) * taper, L.cy + (L.b + grow) * s};
}

Poly headOutline(const Layout& L, const Canvas& cv, double grow = 0)
{
    const int n = cv.segments(L.b);
    Poly out;
    out.reserve(n);
    for (int i = 0; i < n; ++i)
        out.push_back(headPoint(L, 2 * kPi * i / n, grow));
    return out;
}

void drawHairBack(Canvas& cv, const Layout& L, const Attributes& at, Rgb hair)
{
    const double curl = at.hairCurl(), len = at.hairLength();
    const double pad = 0.035 + 0.025 * curl;
    const double topY = L.cy - 0.01;
    const double rx = L.a + pad, ry = L.b + pad;
    const double bottom = L.cy - 0.03 + 0.43 * len;
    const double flare = 0.05 * len + 0.02 * curl;

    Poly outline;
    // Right side downwards, bottom edge to the left, left side up, then the crown.
    const int sideN = 16;
    for (int i = 0; i <= sideN; ++i) {
        const double f = double(i) / sideN;
        outline.push_back({L.cx + rx + flare * f * f, topY + (bottom - topY) * f});
    }
    const double corner = std::min(0.04, std::max(0.0, bottom - topY) * 0.5 + 0.001);
    outline.back().y -= corner;
    for (int i = 1; i <= 8; ++i) {
        const double t = kPi / 2 * i / 8;
        outline.push_back({L.cx + rx + flare - corner + corner * std::cos(t), bottom - corner + corner * std::sin(t)});
    }
    for (int i = 1; i <= 8; ++i) {
        const double t = kPi / 2 + kPi / 2 * i / 8;
        outline.push_back({L.cx - rx - flare + corner + corner * std::cos(t), bottom - corner + corner * std::sin(t)});
    }
    for (int i = sideN; i >= 0; --i) {
        const double f = double(i) / sideN;
        outline.push_back({L.cx - rx - flare * f * f, topY + (bottom - topY) * f});
    }
    const Poly crown = cv.ellipse({L.cx, topY}, rx, ry, kPi, 2 * kPi);
    outline.insert(outline.end(), crown.begin() + 1, crown.end() - 1);

    // The outline runs clockwise on screen, so scallop's push along (dy, -dx) is outwards.
    Poly shaped = scallop(resample(outline, 0.006, true), 0.02 * curl, 0.045, true);
    cv.fill(shaped, hair);
    cv.stroke(shaped, 0.006, shade(hair, 0.62), true);

    // Strands: straight lines for straight hair, waves that grow with curl.
    const Rgb strand = shade(hair, 0.72);
    for (int side = -1; side <= 1; side += 2) {
        for (int k = 0; k < 2; ++k) {
            const double x0 = L.cx + side * (L.a + 0.012 + k * 0.022 + 0.01 * curl);
            const double y1 = bottom - 0.03;
            if (y1 <= topY + 0.03)
                continue;
            Poly p;
            for (double y = topY; y <= y1; y += 0.006) {
                const double f = (y - topY) / (bottom - topY);
                p.push_back(
                    {x0 + side * flare * f * f + 0.011 * curl * std::sin(2 * kPi * (y - topY) / 0.045 + k * 2.0), y});
            }
            cv.stroke(p, 0.006, strand);
        }
    }
}

void drawFringe(Canvas& cv, const Layout& L, const Attributes& at, Rgb hair)
{
    const double curl = at.hairCurl();
    const double pad = 0.03 + 0.022 * curl;
    const double topY = L.cy - 0.01;
    const double rx = L.a + pad, ry = L.b + pad;
    const double delta = 0.18; // how far below the horizontal the fringe reaches at the temples

    Poly outline = cv.ellipse({L.cx, topY}, rx, ry, kPi - delta, 2 * kPi + delta);
    const double sideY = topY + ry * std::sin(delta);
    const double apexY = 0.295;
    // The hairline, from the right temple back to the left one, flat over the forehead.
    Poly hairline;
    const int n = 40;
    for (int i = 0; i <= n; ++i) {
        const double u = 1.0 - 2.0 * i / n;
        const double shapeU = 0.45 * u * u + 0.55 * std::pow(u * u, 2.0);
        hairline.push_back({L.cx + (L.a * 0.97) * u, apexY + (sideY - apexY) * shapeU});
    }
    hairline = scallop(resample(hairline, 0.005, false), 0.022 * curl, 0.04, false);
    outline.insert(outline.end(), hairline.begin(), hairline.end());
    cv.fill(outline, hair);
    cv.stroke(outline, 0.006, shade(hair, 0.62), true);
}

void drawEyes(Canvas& cv, const Layout& L, const Attributes& at)
{
    const double ew = 0.033 + 0.035 * at.eyeSize();
    const double eh = ew * (0.05 + 0.85 * at.eyeOpen());
    const double ri = 0.58 * ew;
    const Rgb white{250, 250, 248}, iris{62, 96, 150}, pupil{16, 16, 22}, line{40, 28, 26};
    for (int side = -1; side <= 1; side += 2) {
        const P c{L.cx + side * L.eyeDx, L.eyeY};
        cv.fill(cv.ellipse(c, ew, eh), white);
        // Iris and pupil are circles clipped to the eye: at each x the eye spans ±limit(x).
        const auto clipped = [&](double r, Rgb color) {
            Poly p = cv.ellipse(c, r, r);
            for (P& q : p) {
                const double u = (q.x - c.x) / ew;
                const double lim = eh * std::sqrt(std::max(0.0, 1 - u * u));
                q.y = std::clamp(q.y, c.y - lim, c.y + lim);
            }
            cv.fill(p, color);
        };
        clipped(ri, iris);
        clipped(ri * 0.5, pupil);
        if (eh > ri * 0.55)
            cv.disc({c.x + 0.3 * ri, c.y - 0.3 * ri}, 0.2 * ri, white);
        cv.stroke(cv.ellipse(c, ew, eh), 0.005, line, true);
        // The upper lid carries the lashes: a heavier line over the top half.
        cv.stroke(cv.ellipse(c, ew, eh, kPi, 2 * kPi), 0.010, line);
    }
}

void drawBrows(Canvas& cv, const Layout& L, const Attributes& at, Rgb color)
{
    const double b = at.browAngle();
    const double raise = std::max(0.0, b), anger = std::max(0.0, -b);
    const double y0 = L.eyeY - 0.097;
    for (int side = -1; side <= 1; side += 2) {
        const double ex = L.cx + side * L.eyeDx;
        const P inner{ex - side * 0.05, y0 - 0.04 * raise + 0.045 * anger};
        const P outer{ex + side * 0.056, y0 - 0.025 * raise - 0.014 * anger};
        const P mid{(inner.x + outer.x) / 2, (inner.y + outer.y) / 2 - 0.012 - 0.02 * raise + 0.01 * anger};
        Poly p;
        for (int i = 0; i <= 12; ++i) {
            const double t = i / 12.0;
            // Quadratic Bézier whose middle control point is set so the curve passes `mid`.
            const P ctl{2 * mid.x - (inner.x + outer.x) / 2, 2 * mid.y - (inner.y + outer.y) / 2};
            p.push_back({(1 - t) * (1 - t) * inner.x + 2 * t * (1 - t) * ctl.x + t * t * outer.x,
                         (1 - t) * (1 - t) * inner.y + 2 * t * (1 - t) * ctl.y + t * t * outer.y});
        }
        cv.stroke(p, 0.02, color);
    }
}

void drawNose(Canvas& cv, const Layout& L, Rgb skin)
{
    const double y = L.eyeY;
    cv.stroke({{L.cx + 0.004, y + 0.035},
               {L.cx + 0.014, y + 0.075},
               {L.cx + 0.012, y + 0.088},
               {L.cx, y + 0.095},
               {L.cx - 0.013, y + 0.09}},
              0.008, shade(skin, 0.72));
}

void drawMouth(Canvas& cv, const Layout& L, const Attributes& at, Rgb skin)
{
    const double mw = 0.042 + 0.068 * at.mouthWidth();
    const double corner = -0.045 * at.smile();
    const double h = 0.085 * at.mouthOpen();
    const Rgb lip = mixRgb(shade(skin, 0.8), Rgb{150, 48, 56}, 0.55);
    const Rgb inside{70, 22, 32}, teeth{246, 244, 238};
    const int n = 24;
    Poly upper, lower, teethLower;
    for (int i = 0; i <= n; ++i) {
        const double t = -1.0 + 2.0 * i / n;
        const double x = L.cx + mw * t, yc = L.mouthY + corner * t * t;
        const double bulge = 1 - t * t;
        upper.push_back({x, yc - 0.22 * h * bulge});
        lower.push_back({x, yc + 0.78 * h * std::pow(bulge, 0.7)});
    }
    Poly opening = upper;
    opening.insert(opening.end(), lower.rbegin(), lower.rend());
    if (h > 0.002) {
        cv.fill(opening, inside);
        Poly band;
        for (int i = 3; i <= n - 3; ++i)
            band.push_back(upper[i]);
        for (int i = n - 3; i >= 3; --i) {
            const double gap = lower[i].y - upper[i].y;
            band.push_back({upper[i].x, upper[i].y + std::min(0.014, 0.4 * gap)});
        }
        cv.fill(band, teeth);
    }
    cv.stroke(opening, 0.010, lip, true);
}

void drawBeard(Canvas& cv, const Layout& L, Rgb color)
{
    Poly p;
    const double t0 = std::asin(std::clamp((0.545 - L.cy) / L.b, -1.0, 1.0));
    const int n = 40;
    for (int i = 0; i <= n; ++i) {
        const double t = t0 + (kPi - 2 * t0) * i / n;
        P q = headPoint(L, t, 0.012);
        q.y += 0.045 * std::pow(std::max(0.0, std::sin(t)), 6.0); // fuller at the chin
        p.push_back(q);
    }
    // Upper edge from the left sideburn across the upper lip to the right one.
    for (int i = 0; i <= n; ++i) {
        const double u = -1.0 + 2.0 * i / n;
        p.push_back({L.cx + 0.96 * L.a * u, 0.605 - 0.06 * std::pow(u, 4.0)});
    }
    const Poly shaped = scallop(resample(p, 0.005, true), 0.004, 0.02, true);
    cv.fill(shaped, color);
    cv.stroke(shaped, 0.005, shade(color, 0.7), true);
}

Poly roundedLens(const Canvas& cv, P c, double rx, double ry)
{
    // Superellipse |x|^4 + |y|^4 = 1: the squarish lens of common frames.
    const int n = cv.segments(std::max(rx, ry));
    Poly p;
    for (int i = 0; i < n; ++i) {
        const double t = 2 * kPi * i / n;
        const double ct = std::cos(t), st = std::sin(t);
        p.push_back({c.x + rx * std::copysign(std::sqrt(std::abs(ct)), ct),
                     c.y + ry * std::copysign(std::sqrt(std::abs(st)), st)});
    }
    return p;
}

void drawGlasses(Canvas& cv, const Layout& L)
{
    const Rgb frame{26, 26, 34};
    const double rx = std::min(0.078, L.eyeDx - 0.012), ry = 0.058;
    const double w = 0.013;
    for (int side = -1; side <= 1; side += 2) {
        const P c{L.cx + side * L.eyeDx, L.eyeY};
        cv.stroke(roundedLens(cv, c, rx, ry), w, frame, true);
        const double x0 = c.x + side * rx;
        cv.stroke({{x0, L.eyeY - 0.018}, {L.cx + side * (L.a + 0.004), L.eyeY - 0.022}}, w * 0.9, frame);
    }
    const double xi = L.eyeDx - rx;
    cv.stroke({{L.cx - xi, L.eyeY - 0.012}, {L.cx, L.eyeY - 0.02}, {L.cx + xi, L.eyeY - 0.012}}, w * 0.9, frame);
}

void checkSize(int size)
{
    if (size < kMinRenderSize || size > kMaxRenderSize)
        throw Error("SynthFace render size " + std::to_string(size) + " is outside [" + std::to_string(kMinRenderSize) +
                    ", " + std::to_string(kMaxRenderSize) + "]");
}

} // namespace

ImageRGB render(const Attributes& at, int size)
{
    checkSize(size);

    // Drawing at 2× (3× or 4× for small images) and averaging down gives smooth edges on top of
    // OpenCV's own anti-aliasing, which is coarse on thin shapes.
    const int ss = size <= 48 ? 4 : size <= 96 ? 3 : 2;
    Canvas cv(size * ss);

    Layout L;
    L.a = 0.21 + 0.10 * at.faceWidth();
    L.eyeDx = 0.38 * L.a + 0.02;
    const Rgb skin = skinColor(at.skinTone());
    const Rgb hair = hairColor(at[Attr::HairColor]);
    // Bald and beard are drawn by amount (see attributes.h): the hair fades as baldness grows.
    const double baldness = at[Attr::Bald], hairCover = 1.0 - baldness;
    // Light hair on pale skin would leave brows and beard invisible: darken them a little.
    const Rgb browColor = shade(hair, 0.72);

    cv.clear(hsv(at.backgroundHue(), 0.38, 0.86));
    cv.fill(cv.ellipse({L.cx, 1.06}, 0.40, 0.19), Rgb{70, 82, 102});
    cv.withOpacity(hairCover, [&] { drawHairBack(cv, L, at, hair); });

    Poly neck{{L.cx - 0.075, 0.66}, {L.cx + 0.075, 0.66}, {L.cx + 0.075, 0.86}};
    const Poly neckline = cv.ellipse({L.cx, 0.86}, 0.075, 0.04, 0, kPi);
    neck.insert(neck.end(), neckline.begin(), neckline.end());
    cv.fill(neck, shade(skin, 0.86));

    for (int side = -1; side <= 1; side += 2) {
        const P ear{L.cx + side * (L.a * 0.97), L.eyeY + 0.03};
        cv.fill(cv.ellipse(ear, 0.032, 0.05), skin);
        cv.stroke(cv.ellipse(ear, 0.032, 0.05), 0.005, shade(skin, 0.7), true);
        cv.stroke(cv.ellipse({ear.x - side * 0.004, ear.y}, 0.014, 0.028, side > 0 ? -kPi / 2 : kPi / 2,
                             side > 0 ? kPi / 2 : 3 * kPi / 2),
                  0.005, shade(skin, 0.78));
    }
    const Poly head = headOutline(L, cv);
    cv.fill(head, skin);
    cv.stroke(head, 0.006, shade(skin, 0.68), true);

    cv.withOpacity(baldness, [&] {
        cv.fill(cv.ellipse({L.cx - 0.06, L.cy - L.b * 0.78}, 0.065, 0.028), mixRgb(skin, {255, 255, 255}, 0.45));
    });
    cv.withOpacity(at[Attr::Beard], [&] { drawBeard(cv, L, hair); });
    drawEyes(cv, L, at);
    drawBrows(cv, L, at, browColor);
    drawNose(cv, L, skin);
    drawMouth(cv, L, at, skin);
    cv.withOpacity(hairCover, [&] { drawFringe(cv, L, at, hair); });
    cv.withOpacity(at[Attr::Glasses], [&] { drawGlasses(cv, L); });

    cv::Mat small;
    cv::resize(cv.mat(), small, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    ImageRGB out;
    out.width = size;
    out.height = size;
    out.pixels.assign(small.data, small.data + size_t(size) * size * 3);
    return out;
}

namespace {
UnitBox boxInImage(P a, P b)
{
    const P p = toImage(a), q = toImage(b);
    return {p.x, p.y, q.x, q.y};
}
} // namespace

// Face-unit bounds from drawMouth/drawEyes/drawHairBack at their extreme attributes.
UnitBox mouthRegion() { return boxInImage({0.375, 0.625}, {0.625, 0.765}); }
UnitBox eyesRegion() { return boxInImage({0.285, 0.43}, {0.715, 0.56}); }
UnitBox hairTopRegion() { return boxInImage({0.35, 0.14}, {0.65, 0.31}); }

ImageRGB tileImages(const std::vector<ImageRGB>& images, int columns, int gap)
{
    if (images.empty())
        throw Error("no images to tile");
    if (columns < 1 || gap < 0)
        throw Error("tiling needs at least one column and a gap of zero or more");
    const int w = images.front().width, h = images.front().height;
    for (const ImageRGB& im : images)
        if (im.width != w || im.height != h || !im.isValid())
            throw Error("images to tile differ in size");
    const int cols = std::min<int>(columns, static_cast<int>(images.size()));
    const int rows = (static_cast<int>(images.size()) + cols - 1) / cols;
    ImageRGB out;
    out.width = cols * w + (cols + 1) * gap;
    out.height = rows * h + (rows + 1) * gap;
    out.pixels.assign(size_t(out.width) * out.height * 3, 40);
    for (size_t k = 0; k < images.size(); ++k) {
        const int x0 = gap + static_cast<int>(k % cols) * (w + gap);
        const int y0 = gap + static_cast<int>(k / cols) * (h + gap);
        for (int y = 0; y < h; ++y)
            std::copy_n(&images[k].pixels[size_t(y) * w * 3], size_t(w) * 3,
                        &out.pixels[(size_t(y0 + y) * out.width + x0) * 3]);
    }
    return out;
}

} // namespace pae::synthface
