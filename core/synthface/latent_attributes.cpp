#include "core/synthface/latent_attributes.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace pae::synthface {

double normalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double normalQuantile(double p)
{
    if (!(p > 0.0 && p < 1.0))
        throw Error("normal quantile: p = " + std::to_string(p) + " is outside (0, 1)");
    // Bisection on the CDF: slow but exact to the last bit and free of tabled constants;
    // it runs a handful of times per face.
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 200 && hi - lo > 0.0; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi)
            break;
        (normalCdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

namespace {

// How far below the threshold (in u) a graded amount starts to grow.
constexpr double kGradedRamp = 2.0;

double gradedAmount(double u, double threshold)
{
    if (u >= threshold)
        return std::min(1.0, 0.5 + (u - threshold));
    const double s = (u - threshold + kGradedRamp) / kGradedRamp;
    return s <= 0.0 ? 0.0 : 0.5 * s * s;
}

Attributes fromLatent(const float* z, int dim, bool graded)
{
    if (dim < kLatentAttributeDims)
        throw Error("latent attributes: z has " + std::to_string(dim) + " dimensions, at least " +
                    std::to_string(kLatentAttributeDims) + " are needed");
    double sumSq = 0.0;
    for (int i = 0; i < dim; ++i) {
        if (!std::isfinite(z[i]))
            throw Error("latent attributes: z[" + std::to_string(i) + "] is not a finite number");
        sumSq += double(z[i]) * double(z[i]);
    }
    if (!(sumSq > 0.0))
        throw Error("latent attributes: z is all zeros");
    // StyleGAN2's pixel norm, eps included, so u is what the mapping network's first layer gets.
    const double scale = 1.0 / std::sqrt(sumSq / dim + 1e-8);

    Attributes a;
    for (const AttrInfo& i : attributeTable()) {
        const int k = static_cast<int>(i.attr);
        const double u = double(z[k]) * scale;
        const double p = normalCdf(u);
        float value = 0.f;
        switch (i.kind) {
        case AttrKind::Signed:
        case AttrKind::Unit:
            value = static_cast<float>(i.minValue + (i.maxValue - i.minValue) * p);
            value = std::clamp(value, i.minValue, i.maxValue);
            break;
        case AttrKind::Binary: {
            const double threshold = normalQuantile(1.0 - binaryPrior(i.attr));
            const bool present = u > threshold;
            value = present ? 1.f : 0.f;
            if (graded && i.attr != Attr::Glasses) {
                // Rounding must agree with the threshold: keep the amount on its side of 0.5.
                const float amount = static_cast<float>(gradedAmount(u, threshold));
                value = present ? std::max(amount, std::nextafter(0.5f, 1.f)) : std::min(amount, 0.5f);
            }
            break;
        }
        case AttrKind::Categorical: {
            const int n = static_cast<int>(i.maxValue) + 1;
            const int bucket = std::min(n - 1, static_cast<int>(p * n));
            value = static_cast<float>(bucket);
            if (graded) {
                // Within half an index of its bucket (kept off the half-way point, where a
                // float's rounding could tip it), so that it rounds to the bucket.
                const double position = std::clamp(p * n - 0.5, 0.0, double(n - 1));
                value = static_cast<float>(std::clamp(position, bucket - 0.49999, bucket + 0.49999));
            }
            break;
        }
        case AttrKind::Circular:
            // Φ(u) rounds to 1.0 for u ≳ 8.3; a hue of 1 is the hue 0, which [0,1) spells 0.
            value = p >= 1.0 ? 0.f : std::min(static_cast<float>(p), 0.99999994f);
            break;
        }
        a.set(i.attr, value);
    }
    return a;
}

} // namespace

Attributes attributesFromLatent(const float* z, int dim) { return fromLatent(z, dim, false); }

Attributes attributesFromLatent(const std::vector<float>& z)
{
    return attributesFromLatent(z.data(), static_cast<int>(z.size()));
}

Attributes gradedAttributesFromLatent(const float* z, int dim) { return fromLatent(z, dim, true); }

Attributes gradedAttributesFromLatent(const std::vector<float>& z)
{
    return gradedAttributesFromLatent(z.data(), static_cast<int>(z.size()));
}

} // namespace pae::synthface
