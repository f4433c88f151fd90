// `pae-cli align`: a photo → its face cropped and levelled the way FFHQ's faces were, the
// framing a real StyleGAN2 needs before `invert`.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/edit/alignment.h"
#include "core/io/image.h"
#include "core/util/error.h"
#include "core/util/output_set.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace pae::cli {
namespace {

struct AlignOptions {
    std::string image;
    std::string out;
    int size = 1024;
    std::string landmarks;
    bool json = false;
    bool noClobber = false;
};

void runAlign(const AlignOptions& o)
{
    if (!io::isWritableImagePath(o.out))
        throw UsageError("align: --out " + o.out + ": unknown image type (use .png, .jpg, …)");
    if (o.size < 16 || o.size > 4096)
        throw UsageError("align: --size must be between 16 and 4096, not " + std::to_string(o.size));
    OutputSet outputs(o.noClobber);
    const std::filesystem::path outFile = outputs.add(o.out, "--out");
    const ImageRGB photo = io::readImage(o.image);
    const FaceAligner aligner(o.landmarks.empty() ? FaceAligner::defaultLandmarkModel()
                                                  : std::filesystem::path(o.landmarks));
    const AlignedFace face = aligner.align(photo, o.size, o.image);
    io::writeImage(face.image, outFile);
    outputs.commit();
    if (o.json) {
        nlohmann::json corners = nlohmann::json::array();
        for (const auto& c : face.quad.corners)
            corners.push_back({c[0], c[1]});
        std::cout << nlohmann::json{{"image", o.image},
                                    {"out", o.out},
                                    {"size", o.size},
                                    {"faces", face.facesFound},
                                    {"box", face.landmarks.box},
                                    {"quad", corners}}
                         .dump(2)
                  << "\n";
        return;
    }
    if (face.facesFound > 1)
        std::cout << face.facesFound << " faces found; the largest was aligned\n";
    const auto c = face.quad.centre();
    std::cout << "face at (" << int(c[0]) << ", " << int(c[1]) << "), " << int(face.quad.side())
              << " pixels square in the photo; written to " << o.out << " (" << o.size << "²)\n";
}

} // namespace

void addAlignCommand(CLI::App& app)
{
    auto o = std::make_shared<AlignOptions>();
    CLI::App* cmd = app.add_subcommand(
        "align", "Crop a photo's face the way FFHQ's faces were cut (eyes level, face centred), for `invert`");
    cmd->add_option("--image", o->image, "The photo")->required();
    cmd->add_option("--out", o->out, "Where to write the aligned face")->required();
    cmd->add_option("--size", o->size, "Side of the aligned face in pixels (the generator's resolution)")
        ->capture_default_str();
    cmd->add_option("--landmarks", o->landmarks,
                    "dlib's 68-point landmark model (default: $PAE_LANDMARKS, else Debian libdlib-data's)");
    cmd->add_flag("--json", o->json, "Print the face found and its crop as JSON");
    addNoClobber(cmd, o->noClobber);
    cmd->callback([o] { runAlign(*o); });
}

} // namespace pae::cli
