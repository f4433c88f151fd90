#pragma once
// The map from a generator latent z to the SynthFace it shows: what the built-in StyleGAN2
// is trained to render, so that a face drawn from a seed (z = randn → mapping → W+) is a
// valid SynthFace whose attributes are known. Torch-free.
//
// z is first scaled as StyleGAN2's mapping network scales it (pixel norm: u = z / rms(z)),
// so the network's first layer sees exactly what decides the face. Attribute i reads u_i
// (in Attr order); the other dimensions are free and change nothing:
//   Signed/Unit   the range mapped from Φ(u_i)         (Φ the standard normal CDF)
//   Binary        u_i > Φ⁻¹(1 − p), p the world's prior (binaryPrior)
//   Categorical   the bucket of Φ(u_i) among the hair colours
//   Circular      Φ(u_i)
//
// What the generator draws is the graded version of the same face (gradedAttributesFromLatent):
// bald and beard grow as amounts along their axis instead of switching on at the threshold,
// and the hair colour slides between neighbouring palette entries. Thresholds make a
// generator whose output is flat on either side of them, so that an edit's gradient cannot
// find a beard or a bald head that is not already there (measured: 0% accuracy for both with
// every target and setting). Rounding the graded face gives the face attributesFromLatent
// returns, which the captions describe and CLIP and the regressor learn from.
#include "core/synthface/attributes.h"

#include <vector>

namespace pae::synthface {

// The dimensions attributesFromLatent reads; a latent needs at least this many.
constexpr int kLatentAttributeDims = kAttrCount;

// z holds `dim` floats (dim ≥ kLatentAttributeDims, all finite, not all zero); pae::Error
// otherwise. Deterministic: the same z gives the same attributes on every platform.
Attributes attributesFromLatent(const float* z, int dim);
Attributes attributesFromLatent(const std::vector<float>& z);

// The face as the generator is trained to draw it; same checks. Amounts and colour positions
// round to attributesFromLatent's values (a Binary amount is above 0.5 exactly when the
// thresholded attribute is 1; the colour position rounds to its category):
//   Bald, Beard   0 up to u = t − 2 (t = Φ⁻¹(1 − p)), then 0.5·s² with s = (u − t + 2)/2, so
//                 0.5 at t; then up by 1 per unit of u, all of it from t + 0.5
//   Glasses       0 or 1 as thresholded: a frame is worn or not, and a faint one on most
//                 faces would be a ghost
//   HairColor     Φ(u)·n − 0.5 clamped to [0, n − 1]: each colour pure at its bucket's centre
Attributes gradedAttributesFromLatent(const float* z, int dim);
Attributes gradedAttributesFromLatent(const std::vector<float>& z);

// Standard normal CDF and its inverse (p in (0,1); pae::Error otherwise).
double normalCdf(double x);
double normalQuantile(double p);

} // namespace pae::synthface
