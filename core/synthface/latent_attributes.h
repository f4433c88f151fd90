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
#include "core/synthface/attributes.h"

#include <vector>

namespace pae::synthface {

// The dimensions attributesFromLatent reads; a latent needs at least this many.
constexpr int kLatentAttributeDims = kAttrCount;

// z holds `dim` floats (dim ≥ kLatentAttributeDims, all finite, not all zero); pae::Error
// otherwise. Deterministic: the same z gives the same attributes on every platform.
Attributes attributesFromLatent(const float* z, int dim);
Attributes attributesFromLatent(const std::vector<float>& z);

// Standard normal CDF and its inverse (p in (0,1); pae::Error otherwise).
double normalCdf(double x);
double normalQuantile(double p);

} // namespace pae::synthface
