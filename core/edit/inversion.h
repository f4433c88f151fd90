#pragma once
// GAN inversion: the W+ latent whose image reproduces a given face image, so that a face
// that was not made from a seed (a render, an aligned photo) can be edited. It starts from
// the closest of a fixed set of the generator's own faces (gradients do not flip glasses
// or a beard on), then runs Adam on the pixel error: first one w shared by every layer
// (stays on the generator's face manifold), then W+ (every layer its own w) for the
// detail. With an encoder loaded (e4e), the encoder's W+ is the start instead and all the
// steps refine it in W+ (0 steps: the encoder's answer as it is). No alignment: the image
// must be framed like the generator's faces.
#include "core/edit/model_set.h"
#include "core/edit/types.h"

#include <functional>
#include <memory>
#include <string>

namespace pae {

struct InversionRequest {
    ImageRGB image;           // any size; a non-square image is centre-cropped to a square
    int starts = 64;          // candidate faces (mapped from fixed seeds) the closest of which starts
    int steps = 300;          // all of them; the first wShare of them in W (none after an encoder)
    bool useEncoder = true;   // start from the encoder's W+ when one is loaded
    float wShare = 0.4f;
    float learningRate = 0.05f;
    // Added to the pixel error: perceptualWeight · (1 − cos) between CLIP's image features of
    // the reconstruction and of the photo (CLIP is always loaded), and meanWeight · the mean
    // square distance of the W+ rows from the generator's mean latent (keeps the latent where
    // the generator draws faces; StyleGAN2's projector without its noise maps). 0: off.
    float perceptualWeight = 0.f;
    float meanWeight = 0.f;
    int previewEvery = 10;    // 0: no previews
    int previewSize = 256;

    // Throws UsageError naming the field when a value is out of range.
    void validate() const;
};

struct InversionProgress {
    int step = 0;  // steps done
    int steps = 0;
    float psnr = 0; // dB, of the current reconstruction at the inversion resolution
    double elapsedSeconds = 0;
};

struct InversionCallbacks {
    std::function<void(const InversionProgress&)> progress;
    std::function<void(int step, const ImageRGB& frame)> preview;
    // polled every step; true stops within one step (result.cancelled)
    std::function<bool()> cancelRequested;
};

struct InversionResult {
    Latent latent;        // W+
    ImageRGB image;       // the latent's image at full resolution
    float psnr = 0;       // dB, reconstruction against the (cropped, resized) input
    int resolution = 0;   // the size the image was compared at
    bool cropped = false; // the input was not square and was centre-cropped
    bool encoded = false; // the start was the encoder's W+
    float encodedPsnr = 0; // dB, of the encoder's W+ alone (when encoded)
    double encodeSeconds = 0;
    int stepsRun = 0;
    double seconds = 0;
    bool cancelled = false;
    std::string stopReason; // empty when it ran to the end
};

class InversionJob {
public:
    explicit InversionJob(std::shared_ptr<const ModelSet> models);
    // Deterministic: the candidate starts come from a fixed seed. A NaN or Inf stops the job
    // and keeps the last good latent; stopReason names the step.
    InversionResult run(const InversionRequest& request, const InversionCallbacks& callbacks = {});

private:
    std::shared_ptr<const ModelSet> m_models;
};

} // namespace pae
