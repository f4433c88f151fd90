#include "core/edit/latent_path.h"

#include "core/util/error.h"

#include <string>

namespace pae {

std::vector<Latent> latentPath(const std::vector<Latent>& stops, int stepsPerSegment)
{
    if (stops.size() < 2)
        throw Error("latent path: needs at least two latents, got " + std::to_string(stops.size()));
    if (stepsPerSegment < 1)
        throw Error("latent path: steps per segment must be at least 1, got " + std::to_string(stepsPerSegment));
    const Latent& first = stops.front();
    for (size_t i = 0; i < stops.size(); ++i)
        if (stops[i].numLatents != first.numLatents || stops[i].styleDim != first.styleDim ||
            stops[i].values.size() != size_t(first.numLatents) * size_t(first.styleDim))
            throw Error("latent path: latent " + std::to_string(i) + " is " + std::to_string(stops[i].numLatents) +
                        "x" + std::to_string(stops[i].styleDim) + ", the first is " +
                        std::to_string(first.numLatents) + "x" + std::to_string(first.styleDim));
    std::vector<Latent> path{first};
    for (size_t s = 1; s < stops.size(); ++s) {
        const Latent& a = stops[s - 1];
        const Latent& b = stops[s];
        for (int k = 1; k <= stepsPerSegment; ++k) {
            if (k == stepsPerSegment) {
                path.push_back(b); // exactly the stop, not a rounding away from it
                continue;
            }
            const float t = float(k) / float(stepsPerSegment);
            Latent l = a;
            for (size_t j = 0; j < l.values.size(); ++j)
                l.values[j] = a.values[j] + t * (b.values[j] - a.values[j]);
            path.push_back(std::move(l));
        }
    }
    return path;
}

} // namespace pae
