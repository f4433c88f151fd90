#pragma once
// The arithmetic of the StyleGAN2 synthesis layers, arranged for speed on the CPU
// (mkldnn, channels-last) rather than as the port writes it. Every function returns what
// the port's layer returns for the same weights; tests compare against its numbers.
#include <torch/types.h>

namespace pae::models::sg2 {

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kLeakySlope = 0.2;

// The port's Blur and Upsample buffers: outer([1,3,3,1])/64 times factor² = 4. Files
// store them; we check that they hold exactly this, since the fast paths below bake it in.
torch::Tensor upsampleKernel2d();

// Transposed 3×3 conv with stride 2 equals, per output phase, a 2×2 conv (padding 1) at
// the input resolution. [Cout,Cin,3,3] → [4·Cout,Cin,2,2], ordered for pixel_shuffle(…, 2).
torch::Tensor upsampleConvWeight(const torch::Tensor& weight);

// The phase conv's output [N,4·C,H+1,W+1] → the port's transposed conv followed by its
// 4×4 blur (pad 1,1): [N,C,2H,2W]. blur: the depthwise kernel [C,1,4,4] (upsampleKernel2d()).
torch::Tensor upsampleConvFinish(const torch::Tensor& phaseOut, const torch::Tensor& blur);

// sum over the kernel taps of weight², as [Cin,Cout], so that the demodulation of a
// batch of styles s [N,Cin] is one matmul: rsqrt(s² · sumSq + 1e-8).
torch::Tensor demodulationMatrix(const torch::Tensor& weight);

struct StyledConvWeights {
    const torch::Tensor& weight; // [Cout,Cin,3,3], already times the equalized-lr scale
    const torch::Tensor& phases; // upsampleConvWeight(weight), or undefined
    const torch::Tensor& sumSq;  // demodulationMatrix(weight)
    const torch::Tensor& offset; // √2·(noise weight·noise + bias), [1,Cout,R,R]
    const torch::Tensor& blur;   // with phases: the depthwise blur [Cout,1,4,4], else undefined
};

// Modulated 3×3 conv (optionally upsampling ×2), demodulation, constant noise, bias and
// the fused leaky ReLU. x [N,Cin,H,W], style [N,Cin] (after the modulation layer).
torch::Tensor styledConv(const torch::Tensor& x, const torch::Tensor& style, const StyledConvWeights& w);

// Modulated 1×1 conv to RGB without demodulation, plus bias, plus the upsampled skip.
// weight [3,Cin] with the scale applied, bias [1,3,1,1], skip [N,3,H/2,W/2] or undefined.
torch::Tensor toRgb(const torch::Tensor& x, const torch::Tensor& style, const torch::Tensor& weight,
                    const torch::Tensor& bias, const torch::Tensor& skip);

// upfirdn2d(x, upsampleKernel2d(), up=2, pad=(2,1)) of the port, for few channels.
torch::Tensor upsampleSkip(const torch::Tensor& skip);

} // namespace pae::models::sg2
