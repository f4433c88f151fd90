// `pae-cli invert`: an image → the W+ latent that reproduces it, for `edit --latent`.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/edit/inversion.h"
#include "core/face/alignment.h"
#include "core/io/image.h"
#include "core/util/error.h"
#include "core/util/output_set.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace pae::cli {
namespace {

struct InvertOptions {
    ModelOptions models;
    std::string image;
    std::string latentOut;
    std::string out;
    std::string alignedOut;
    bool align = false;
    int faceNumber = 0;
    CLI::Option* faceOption = nullptr;
    bool json = false;
    bool noClobber = false;
    InversionRequest request;
};

void runInvert(const InvertOptions& o)
{
    if (!o.out.empty() && !io::isWritableImagePath(o.out))
        throw UsageError("invert: --out " + o.out + ": unknown image type (use .png, .jpg, …)");
    if (!o.alignedOut.empty() && !io::isWritableImagePath(o.alignedOut))
        throw UsageError("invert: --aligned-out " + o.alignedOut + ": unknown image type (use .png, .jpg, …)");
    if (!o.alignedOut.empty() && !o.align)
        throw UsageError("invert: --aligned-out needs --align");
    if (o.faceOption->count() > 0 && !o.align)
        throw UsageError("invert: --face needs --align");
    OutputSet outputs(o.noClobber);
    const std::filesystem::path latentFile = outputs.add(o.latentOut, "--latent-out");
    const std::filesystem::path imageFile = o.out.empty() ? std::filesystem::path() : outputs.add(o.out, "--out");
    const std::filesystem::path alignedFile =
        o.alignedOut.empty() ? std::filesystem::path() : outputs.add(o.alignedOut, "--aligned-out");
    const ImageRGB image = io::readImage(o.image);
    const std::shared_ptr<ModelSet> models = o.models.load();
    int facesFound = 0;
    InversionResult result;
    if (o.align) {
        const PhotoInversion photo = invertPhotoWithProgress(models, image, o.faceNumber, o.request, o.image);
        facesFound = photo.face.facesFound;
        if (!o.alignedOut.empty())
            io::writeImage(photo.face.image, alignedFile);
        result = photo.inversion;
    } else {
        InversionRequest request = o.request;
        request.image = image;
        request.previewEvery = 0;
        request.validate();
        result = invertWithProgress(models, request, o.image);
    }
    models->saveLatent(result.latent, latentFile);
    if (!o.out.empty())
        io::writeImage(result.image, imageFile);
    outputs.commit();
    if (o.json) {
        std::cout << nlohmann::json{{"image", o.image},
                                    {"latent", o.latentOut},
                                    {"psnr_db", result.psnr},
                                    {"resolution", result.resolution},
                                    {"cropped", result.cropped},
                                    {"aligned", o.align},
                                    {"steps", result.stepsRun},
                                    {"encoded", result.encoded},
                                    {"encoded_psnr_db",
                                     result.encoded ? nlohmann::json(result.encodedPsnr) : nlohmann::json(nullptr)},
                                    {"encode_seconds", result.encodeSeconds},
                                    {"seconds", result.seconds}}
                         .dump(2)
                  << "\n";
        return;
    }
    if (facesFound > 1)
        std::cout << facesFound << " faces found; face " << o.faceNumber << " was aligned\n";
    if (result.cropped)
        std::cout << "the image is not square: its centre square was used\n";
    if (result.encoded)
        std::cout << "encoded in " << result.encodeSeconds << " s (" << result.encodedPsnr << " dB), then refined\n";
    std::cout << "reproduced at " << result.psnr << " dB PSNR (" << result.resolution << "², " << result.stepsRun
              << " steps, " << result.seconds << " s); latent written to " << o.latentOut << "\n";
}

} // namespace

void addInvertCommand(CLI::App& app)
{
    auto o = std::make_shared<InvertOptions>();
    CLI::App* cmd = app.add_subcommand(
        "invert", "Find the latent that reproduces a face image (GAN inversion), to edit it with `edit --latent`");
    o->models.add(cmd);
    cmd->add_option("--image", o->image, "The face: framed like the generator's faces, or a photo with --align")
        ->required();
    cmd->add_flag("--align", o->align, "Find the face and crop it the FFHQ way first (what `align` does)");
    cmd->add_option("--aligned-out", o->alignedOut, "With --align: also write the aligned face");
    o->faceOption = cmd->add_option("--face", o->faceNumber, "With --align: which face, 0 the largest (`align --list`)")
                        ->capture_default_str()
                        ->check(wholeRange(0, 999));
    cmd->add_option("--latent-out", o->latentOut, "Where to write the W+ latent (.safetensors)")->required();
    cmd->add_option("--out", o->out, "Also write the reconstruction as an image");
    cmd->add_option("--starts", o->request.starts, "Candidate faces the closest of which starts the optimization")
        ->capture_default_str()
        ->check(wholeRange(1, 4096));
    cmd->add_option("--steps", o->request.steps,
                    "Optimization steps (after --encoder: refinement steps in W+, 0 allowed)")
        ->capture_default_str()
        ->check(wholeRange(0, 100000));
    cmd->add_option("--w-share", o->request.wShare, "Share of the steps in W (one w for all layers) before W+")
        ->capture_default_str()
        ->check(finiteRange(0, 1));
    cmd->add_option("--lr", o->request.learningRate, "Learning rate")
        ->capture_default_str()
        ->check(finiteRange(1e-9, 10));
    cmd->add_option("--perceptual", o->request.perceptualWeight,
                    "Weight of CLIP's image-feature distance to the photo, added to the pixel error")
        ->capture_default_str()
        ->check(finiteRange(0, 1000));
    cmd->add_option("--mean-reg", o->request.meanWeight,
                    "Weight of the W+ rows' mean square distance from the generator's mean latent")
        ->capture_default_str()
        ->check(finiteRange(0, 1000));
    cmd->add_flag("--json", o->json, "Print the result as JSON");
    addNoClobber(cmd, o->noClobber);
    cmd->callback([o] { runInvert(*o); });
}

} // namespace pae::cli
