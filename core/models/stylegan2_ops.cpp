#include "core/models/stylegan2_ops.h"

#include <torch/torch.h>

namespace pae::models::sg2 {
namespace F = torch::nn::functional;

namespace {

// One axis of the upsampling kernel: [1,3,3,1] / 8 · factor 2.
constexpr double kTaps[4] = {0.25, 0.75, 0.75, 0.25};

} // namespace

torch::Tensor upsampleKernel2d()
{
    const auto taps = torch::tensor({kTaps[0], kTaps[1], kTaps[2], kTaps[3]}, torch::kFloat32);
    return torch::outer(taps, taps);
}

torch::Tensor upsampleConvWeight(const torch::Tensor& weight)
{
    // Along one axis the transposed conv (stride 2) puts out[2m] = w[0]·x[m] + w[2]·x[m−1]
    // and out[2m+1] = w[1]·x[m]: per output phase a 2-tap conv over x[m−1], x[m]. The
    // odd phase has no x[m−1] tap. 16 taps per input pixel instead of the 36 that folding
    // the blur in as well would need; the blur runs on the (fewer) output channels.
    constexpr int kTap[2][2] = {{2, 0}, {-1, 1}}; // [phase][tap] → kernel index, −1: none
    const int64_t cout = weight.size(0), cin = weight.size(1);
    auto out = torch::zeros({cout, 4, cin, 2, 2}, weight.options());
    for (int py = 0; py < 2; ++py)
        for (int px = 0; px < 2; ++px)
            for (int ty = 0; ty < 2; ++ty)
                for (int tx = 0; tx < 2; ++tx) {
                    const int ky = kTap[py][ty], kx = kTap[px][tx];
                    if (ky >= 0 && kx >= 0)
                        out.select(1, py * 2 + px).select(2, ty).select(2, tx).copy_(weight.select(2, ky).select(2, kx));
                }
    return out.reshape({cout * 4, cin, 2, 2});
}

torch::Tensor upsampleConvFinish(const torch::Tensor& phaseOut, const torch::Tensor& blur)
{
    // phaseOut [N,4·C,H+1,W+1] → the transposed conv's [N,C,2H+1,2W+1] plus one zero row
    // and column; the port's blur pads it by 1 on each side, so a padding-1 depthwise conv
    // gives its 2H×2W output plus a last row and column that are dropped.
    const auto y = torch::pixel_shuffle(phaseOut, 2);
    const int64_t c = y.size(1), h = y.size(2) - 2, w = y.size(3) - 2;
    const auto z = F::conv2d(y, blur, F::Conv2dFuncOptions().padding(1).groups(c));
    return z.slice(2, 0, h).slice(3, 0, w);
}

torch::Tensor demodulationMatrix(const torch::Tensor& weight)
{
    return weight.square().sum({2, 3}).t().contiguous();
}

torch::Tensor styledConv(const torch::Tensor& x, const torch::Tensor& style, const StyledConvWeights& w)
{
    const int64_t n = x.size(0), cin = x.size(1), cout = w.weight.size(0);
    const bool up = w.phases.defined();
    // √2 of the leaky ReLU goes into the demodulation: leaky_relu(√2·y) = √2·leaky_relu(y).
    auto demod = torch::rsqrt(torch::mm(style.square(), w.sumSq) + 1e-8) * kSqrt2; // [N,Cout]
    torch::Tensor out;
    if (n == 1 && !style.requires_grad()) {
        // No gradient to the style: fold style and demodulation into the (small) weight,
        // so the large activations are touched once.
        const auto& base = up ? w.phases : w.weight;
        auto d = up ? demod.reshape({cout, 1}).expand({cout, 4}).reshape({cout * 4}) : demod.reshape({cout});
        auto weight = base * style.reshape({1, cin, 1, 1}) * d.reshape({-1, 1, 1, 1});
        weight = weight.contiguous(at::MemoryFormat::ChannelsLast);
        out = F::conv2d(x, weight, F::Conv2dFuncOptions().padding(1));
        out = up ? upsampleConvFinish(out, w.blur) + w.offset : out.add_(w.offset);
    } else {
        // Modulating the input instead of the weight keeps one shared weight for the batch
        // (a plain conv, not a grouped one) and its backward needs no weight gradient.
        auto xs = x * style.reshape({n, cin, 1, 1});
        out = F::conv2d(xs, up ? w.phases : w.weight, F::Conv2dFuncOptions().padding(1));
        if (up)
            out = upsampleConvFinish(out, w.blur);
        out = torch::addcmul(w.offset, out, demod.reshape({n, cout, 1, 1}));
    }
    return torch::leaky_relu_(out, kLeakySlope);
}

torch::Tensor upsampleSkip(const torch::Tensor& skip)
{
    // A transposed depthwise conv with the 4×4 kernel, stride 2 and padding 1 puts the
    // taps exactly where upfirdn2d(up=2, pad=(2,1)) does, without the zero-stuffed copy.
    const int64_t c = skip.size(1);
    auto kernel = upsampleKernel2d().to(skip.device(), skip.scalar_type()).reshape({1, 1, 4, 4}).expand({c, 1, 4, 4}).contiguous();
    return F::conv_transpose2d(skip, kernel, F::ConvTranspose2dFuncOptions().stride(2).padding(1).groups(c));
}

torch::Tensor toRgb(const torch::Tensor& x, const torch::Tensor& style, const torch::Tensor& weight,
                    const torch::Tensor& bias, const torch::Tensor& skip)
{
    // A 1×1 conv is a matmul over channels; per-sample weights make it a bmm, and the
    // channels-last activations are already [N,H·W,Cin] in memory.
    const int64_t n = x.size(0), cin = x.size(1), h = x.size(2), wd = x.size(3);
    auto perSample = weight.unsqueeze(0) * style.unsqueeze(1); // [N,3,Cin]
    auto pixels = x.permute({0, 2, 3, 1}).reshape({n, h * wd, cin});
    auto out = torch::bmm(pixels, perSample.transpose(1, 2)).reshape({n, h, wd, 3}).permute({0, 3, 1, 2});
    out = out + bias;
    if (skip.defined())
        out = out + upsampleSkip(skip);
    return out;
}

} // namespace pae::models::sg2
