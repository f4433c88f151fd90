#include "core/edit/photo.h"

#include "core/util/torch_errors.h"

namespace pae {

PhotoInversion invertPhoto(const std::shared_ptr<const ModelSet>& models, const FaceAligner& aligner,
                           const ImageRGB& photo, int faceIndex, InversionRequest request,
                           const InversionCallbacks& callbacks, const std::string& what)
try {
    const int resolution = models->info().resolution;
    PhotoInversion out;
    out.face = aligner.align(photo, alignedSizeFor(resolution), what, faceIndex);
    requireEditable(out.face, resolution, what);
    request.image = out.face.image;
    request.validate();
    out.inversion = InversionJob(models).run(request, callbacks);
    return out;
} catch (...) {
    rethrowForUser("the photo's inversion");
}

std::string photoWorldWarning(const ModelInfo& info)
{
    if (!info.builtin)
        return {};
    return "the built-in models draw cartoon faces, so the photo's face becomes the nearest cartoon; load real "
           "models to edit photos";
}

} // namespace pae
