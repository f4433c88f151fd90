#include "core/synthface/axis.h"

#include "core/edit/model_set_impl.h"
#include "core/io/image.h"
#include "core/synthface/regressor.h"
#include "core/synthface/renderer.h"
#include "core/util/error.h"
#include "core/util/format.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace pae::synthface {

namespace {

// z with coordinate k set so that, after StyleGAN2's pixel norm, it reads u: with S the sum
// of the other coordinates' squares and d the dimension, z_k² = u²·S / (d − u²).
torch::Tensor zWithCoordinate(torch::Tensor z, int k, double u)
{
    const int64_t d = z.size(1);
    const double others = z.pow(2).sum().item<double>() - std::pow(z[0][k].item<double>(), 2);
    const double zk = u * std::sqrt(others / (double(d) - u * u));
    z[0][k] = zk;
    return z;
}

double pixelNormed(const torch::Tensor& z, int k)
{
    return z[0][k].item<double>() / std::sqrt(z.pow(2).mean().item<double>() + 1e-8);
}

constexpr double kSlopeStep = 0.25;

} // namespace

AxisReport walkAttributeAxis(const ModelSet& models, const AxisOptions& options)
{
    const auto& M = detail::implOf(models);
    if (!M.builtin)
        throw UsageError("the attribute axes belong to the built-in SynthFace world; the loaded generator (" +
                         M.generatorSource + ") draws no attribute from a coordinate of its own");
    if (options.prompt.empty())
        throw UsageError("prompt: empty; name what CLIP should see (\"a bald person\")");
    if (options.points < 2)
        throw UsageError("points: " + std::to_string(options.points) + ", at least 2 are needed");
    const auto d = double(M.gan.config.styleDim);
    const double limit = std::sqrt(d);
    if (!(options.from > -limit && options.to < limit))
        throw UsageError("from/to: the axis runs inside (−" + fixed(limit, 2) + ", " + fixed(limit, 2) +
                         "): after pixel norm, no coordinate of a " + std::to_string(M.gan.config.styleDim) +
                         "-dimensional z reads more");
    if (!(options.from < options.to))
        throw UsageError("from/to: from (" + fixed(options.from, 2) + ") must be below to (" + fixed(options.to, 2) +
                         ")");

    torch::NoGradGuard noGrad;
    AttributeRegressor regressor = loadBuiltinRegressor();
    auto& generator = const_cast<models::GeneratorImpl&>(*M.gan.generator);
    const int k = int(options.attribute);
    const torch::Tensor z0 = M.gan.zFromSeed(options.seed, 1);
    const torch::Tensor text = M.embedTexts({options.prompt})[0];

    auto measure = [&](const torch::Tensor& z, double u) {
        const torch::Tensor w = M.gan.toWPlus(M.gan.truncate(generator.mapping(z.to(M.device)), options.truncation));
        const torch::Tensor image = generator.synthesize(w);
        torch::Tensor e = M.embedGeneratorImages(image)[0];
        AxisPoint p;
        p.u = u;
        p.cosine = (e / e.norm()).dot(text.to(e.device())).item<double>();
        p.image = io::tensorToImage(detail::generatorToUnit(image)[0]); // as ModelSet::render draws it
        const RegressorReading r = regressor->read(io::imageToTensor(p.image).to(torch::kCPU));
        if (info(options.attribute).kind == AttrKind::Categorical) {
            const auto probs = r.hairColorProb.cpu()[0];
            for (int c = 0; c < kHairColorCount; ++c)
                p.hairColorProb.push_back(probs[c].item<double>());
            p.value = double(probs.argmax().item<int64_t>());
        } else if (info(options.attribute).kind == AttrKind::Binary) {
            const auto& binaries = binaryAttributes();
            const auto column = long(std::find(binaries.begin(), binaries.end(), options.attribute) - binaries.begin());
            p.value = r.binaryProb.cpu()[0][column].item<double>();
        } else {
            p.value = r.values.cpu()[0][k].item<double>();
        }
        return p;
    };

    AxisReport report;
    report.options = options;
    report.faceU = pixelNormed(z0, k);
    report.face = measure(z0, report.faceU);
    // CLIP's slope at the face, from two points a quarter unit either side: the gradient a
    // text edit starts with along this axis (about zero: nothing pulls the face this way).
    const double h = std::min(kSlopeStep, limit - 1e-3 - std::abs(report.faceU));
    if (h > 1e-3) {
        const double up = measure(zWithCoordinate(z0.clone(), k, report.faceU + h), report.faceU + h).cosine;
        const double down = measure(zWithCoordinate(z0.clone(), k, report.faceU - h), report.faceU - h).cosine;
        report.slopeAtFace = (up - down) / (2 * h);
    }
    for (int i = 0; i < options.points; ++i) {
        const double u = options.from + (options.to - options.from) * double(i) / double(options.points - 1);
        report.points.push_back(measure(zWithCoordinate(z0.clone(), k, u), u));
    }
    return report;
}

namespace {

std::string readingText(const AxisReport& r, const AxisPoint& p)
{
    const AttrInfo& a = info(r.options.attribute);
    if (a.kind == AttrKind::Categorical)
        return std::string(hairColorName(HairColorIndex(int(p.value)))) + " " +
               fixed(p.hairColorProb.empty() ? 0.0 : p.hairColorProb[size_t(p.value)], 2);
    return fixed(p.value, 2);
}

} // namespace

std::string AxisReport::toMarkdown() const
{
    const AttrInfo& a = info(options.attribute);
    std::ostringstream out;
    out << "Seed " << options.seed << " along " << a.name << " (u, the latent coordinate the world draws it from; "
        << "this face: u = " << fixed(faceU, 2) << "), CLIP's cosine to \"" << options.prompt << "\"; at this face "
        << "the cosine changes by " << fixed(slopeAtFace, 3) << " per unit of u:\n\n";
    out << "| u | cos(image, prompt) | regressor: " << a.name
        << (a.kind == AttrKind::Binary        ? " (probability)"
            : a.kind == AttrKind::Categorical ? " (likeliest)"
                                              : "")
        << " |\n|---|---|---|\n";
    bool faceWritten = false;
    for (const AxisPoint& p : points) {
        if (!faceWritten && faceU < p.u) {
            out << "| **" << fixed(face.u, 2) << " (this face)** | **" << fixed(face.cosine, 3) << "** | **"
                << readingText(*this, face) << "** |\n";
            faceWritten = true;
        }
        out << "| " << fixed(p.u, 2) << " | " << fixed(p.cosine, 3) << " | " << readingText(*this, p) << " |\n";
    }
    if (!faceWritten)
        out << "| **" << fixed(face.u, 2) << " (this face)** | **" << fixed(face.cosine, 3) << "** | **"
            << readingText(*this, face) << "** |\n";
    return out.str();
}

namespace {

// The seed's own face, framed so that it stands out in the row.
ImageRGB framed(ImageRGB image)
{
    const int t = std::max(2, image.width / 32);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            if (x < t || y < t || x >= image.width - t || y >= image.height - t) {
                uint8_t* px = &image.pixels[(size_t(y) * size_t(image.width) + size_t(x)) * 3];
                px[0] = 255;
                px[1] = 200;
                px[2] = 0;
            }
    return image;
}

} // namespace

ImageRGB AxisReport::sheet(int size) const
{
    std::vector<ImageRGB> row;
    bool faceAdded = false;
    for (const AxisPoint& p : points) {
        if (!faceAdded && faceU < p.u) {
            row.push_back(framed(io::resizeImage(face.image, size, size)));
            faceAdded = true;
        }
        row.push_back(io::resizeImage(p.image, size, size));
    }
    if (!faceAdded)
        row.push_back(framed(io::resizeImage(face.image, size, size)));
    return tileImages(row, int(row.size()), 2);
}

std::string AxisReport::toJson() const
{
    auto point = [](const AxisPoint& p) {
        nlohmann::json j{{"u", p.u}, {"cosine", p.cosine}, {"value", p.value}};
        if (!p.hairColorProb.empty()) {
            nlohmann::json probs;
            for (size_t c = 0; c < p.hairColorProb.size(); ++c)
                probs[hairColorName(HairColorIndex(int(c)))] = p.hairColorProb[c];
            j["hair_color"] = probs;
            j["likeliest"] = hairColorName(HairColorIndex(int(p.value)));
        }
        return j;
    };
    nlohmann::json j;
    j["seed"] = options.seed;
    j["attribute"] = info(options.attribute).name;
    j["prompt"] = options.prompt;
    j["truncation"] = options.truncation;
    j["face"] = point(face);
    j["slope_at_face"] = slopeAtFace;
    j["points"] = nlohmann::json::array();
    for (const AxisPoint& p : points)
        j["points"].push_back(point(p));
    return j.dump(2) + "\n";
}

} // namespace pae::synthface
