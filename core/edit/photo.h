#pragma once
// A photo's face as a latent: find face N, cut it out the FFHQ way, check it is large enough
// to edit, invert it (from the encoder's W+ when one is loaded). The one pipeline behind
// `pae-cli edit --photo`, `pae-cli invert --align` and the studio's photo path, so the three
// cannot drift apart. The face's place in the photo comes back with the latent: pasteBack()
// puts an edit of it into the photo.
#include "core/edit/inversion.h"
#include "core/face/alignment.h"

#include <memory>
#include <string>

namespace pae {

struct PhotoInversion {
    AlignedFace face;          // the aligned crop and where it sits in the photo
    InversionResult inversion; // its latent and reconstruction
};

// `what` names the photo in errors (its path). Throws Error when there is no face N or it is
// too small for the generator (requireEditable); the inversion's own outcome (cancelled,
// stopped on a NaN) is left in the result for the caller to report.
PhotoInversion invertPhoto(const std::shared_ptr<const ModelSet>& models, const FaceAligner& aligner,
                           const ImageRGB& photo, int faceIndex, InversionRequest request,
                           const InversionCallbacks& callbacks, const std::string& what);

// The line to show when a photo is edited with the built-in models (they draw cartoon
// faces; a photo comes back as the nearest cartoon), empty for any other generator.
std::string photoWorldWarning(const ModelInfo& info);

} // namespace pae
