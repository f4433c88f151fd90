#pragma once
// Why an edit cannot reach an attribute: one face of the built-in world walked along one
// attribute's axis of the latent (the z coordinate the world draws that attribute from),
// with what CLIP sees (the cosine to a prompt, which a text edit climbs) and what the
// regressor reads at each point. Where the cosine is flat near the face, the edit feels no
// pull along the direction the world draws the attribute along: CLIP does not see a partial
// change. (The edit moves all of W+, so this reads one direction, not every way there.)
#include "core/edit/model_set.h"
#include "core/synthface/attributes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pae::synthface {

struct AxisOptions {
    uint64_t seed = 0;
    Attr attribute = Attr::Smile;
    std::string prompt;
    double from = -3.0; // u, the pixel-normed z coordinate (the world draws from Φ(u))
    double to = 3.0;
    int points = 13;
    float truncation = 0.7f; // as ModelSet::latentFromSeed, so the face at its own u is the seed's face
};

struct AxisPoint {
    double u = 0;
    double cosine = 0; // CLIP: cos(image, prompt)
    // The regressor's reading of the attribute: the value in its own units (Signed, Unit,
    // Circular), the probability it is present (Binary), or for hair colour the
    // probability of each colour (hairColorProb) and the likeliest one (value, its index).
    double value = 0;
    std::vector<double> hairColorProb;
    ImageRGB image; // the generator's face at this point
};

struct AxisReport {
    AxisOptions options;
    double faceU = 0; // where the seed's own face lies on the axis
    AxisPoint face;   // the seed's own face
    // d cos / du at the face (a quarter unit either side, less near the axis's ends): the
    // gradient a text edit starts with along this axis.
    double slopeAtFace = 0;
    std::vector<AxisPoint> points;
    std::string toMarkdown() const;
    std::string toJson() const;
    // The faces along the axis in one row, the seed's own face framed in its place, each side `size`.
    ImageRGB sheet(int size) const;
};

// The built-in world only: its generator draws attribute k from z's coordinate k. Throws
// UsageError for an empty prompt, fewer than 2 points, from ≥ to, or a range outside
// (−√d, √d) for a d-dimensional z (after pixel norm no coordinate reads more).
AxisReport walkAttributeAxis(const ModelSet& models, const AxisOptions& options);

} // namespace pae::synthface
