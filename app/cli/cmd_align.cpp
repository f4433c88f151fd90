// `pae-cli align`: a photo → its face cropped and levelled the way FFHQ's faces were, the
// framing a real StyleGAN2 needs before `invert`.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/face/alignment.h"
#include "core/io/image.h"
#include "core/util/error.h"
#include "core/util/output_set.h"

#include <nlohmann/json.hpp>

#include <cmath>
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
    bool list = false;
    int faceNumber = 0;
    bool noClobber = false;
};

nlohmann::json pointJson(const Point2& p) { return nlohmann::json::array({p[0], p[1]}); }

nlohmann::json quadJson(const FaceQuad& quad)
{
    nlohmann::json corners = nlohmann::json::array();
    for (const auto& c : quad.corners)
        corners.push_back(pointJson(c));
    return corners;
}

// --list: every face, largest first, numbered as --face takes them.
void listFaces(const AlignOptions& o, const FaceAligner& aligner, const ImageRGB& photo)
{
    const std::vector<FaceLandmarks> faces = aligner.detect(photo);
    const double least = minimumEyeSpan(o.size);
    if (o.json) {
        nlohmann::json list = nlohmann::json::array();
        for (size_t k = 0; k < faces.size(); ++k) {
            nlohmann::json landmarks = nlohmann::json::array();
            for (const auto& p : faces[k].points)
                landmarks.push_back(pointJson(p));
            list.push_back({{"face", k},
                            {"box", faces[k].box},
                            {"quad", quadJson(ffhqQuad(faces[k]))},
                            {"eye_span", eyeSpan(faces[k])},
                            {"editable", eyeSpan(faces[k]) >= least},
                            {"landmarks", landmarks}});
        }
        std::cout << nlohmann::json{{"image", o.image}, {"width", photo.width},      {"height", photo.height},
                                    {"size", o.size},   {"minimum_eye_span", least}, {"faces", list}}
                         .dump(2)
                  << "\n";
        return;
    }
    if (faces.empty()) {
        std::cout << o.image << ": no face found\n";
        return;
    }
    for (size_t k = 0; k < faces.size(); ++k) {
        const auto& b = faces[k].box;
        const double span = eyeSpan(faces[k]);
        std::cout << "face " << k << ": box " << b[2] << "×" << b[3] << " at (" << b[0] << ", " << b[1] << "), "
                  << int(std::lround(span)) << " px between the eyes' outer corners"
                  << (span >= least ? "" : " (too small to edit at " + std::to_string(o.size) + "²)") << "\n";
    }
}

void runAlign(const AlignOptions& o)
{
    if (o.size < 16 || o.size > 4096)
        throw UsageError("align: --size must be between 16 and 4096, not " + std::to_string(o.size));
    if (o.list) {
        if (!o.out.empty())
            throw UsageError("align: --list writes nothing; leave out --out");
        const ImageRGB photo = io::readImage(o.image);
        const FaceAligner aligner(o.landmarks.empty() ? FaceAligner::defaultLandmarkModel()
                                                      : std::filesystem::path(o.landmarks));
        listFaces(o, aligner, photo);
        return;
    }
    if (o.out.empty())
        throw UsageError("align: --out is required (or --list to list the faces)");
    if (!io::isWritableImagePath(o.out))
        throw UsageError("align: --out " + o.out + ": unknown image type (use .png, .jpg, …)");
    OutputSet outputs(o.noClobber);
    const std::filesystem::path outFile = outputs.add(o.out, "--out");
    const ImageRGB photo = io::readImage(o.image);
    const FaceAligner aligner(o.landmarks.empty() ? FaceAligner::defaultLandmarkModel()
                                                  : std::filesystem::path(o.landmarks));
    const AlignedFace face = aligner.align(photo, o.size, o.image, o.faceNumber);
    io::writeImage(face.image, outFile);
    outputs.commit();
    if (o.json) {
        std::cout << nlohmann::json{{"image", o.image},           {"out", o.out},       {"size", o.size},
                                    {"faces", face.facesFound},   {"face", face.index}, {"box", face.landmarks.box},
                                    {"quad", quadJson(face.quad)}}
                         .dump(2)
                  << "\n";
        return;
    }
    if (face.facesFound > 1)
        std::cout << face.facesFound << " faces found; face " << face.index << " was aligned\n";
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
    cmd->add_option("--out", o->out, "Where to write the aligned face");
    cmd->add_flag("--list", o->list, "List every face found (largest first, numbered from 0 as --face takes them)");
    cmd->add_option("--face", o->faceNumber, "Which face to align, 0 the largest (see --list)")
        ->capture_default_str()
        ->check(wholeRange(0, 999));
    cmd->add_option("--size", o->size, "Side of the aligned face in pixels (the generator's resolution)")
        ->capture_default_str();
    cmd->add_option("--landmarks", o->landmarks,
                    "dlib's 68-point landmark model (default: $PAE_LANDMARKS, else Debian libdlib-data's)");
    cmd->add_flag("--json", o->json, "Print the face found and its crop as JSON");
    addNoClobber(cmd, o->noClobber);
    cmd->callback([o] { runAlign(*o); });
}

} // namespace pae::cli
