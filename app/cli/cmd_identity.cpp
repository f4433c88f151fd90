// pae-cli identity: ArcFace embeddings and the identity similarity of two faces.
// pae-cli encode: a face's W+ in one pass of an e4e encoder.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "app/cli/edit_options.h"
#include "core/edit/inversion.h"
#include "core/face/alignment.h"
#include "core/io/image.h"
#include "core/io/latent_file.h"
#include "core/io/safetensors.h"
#include "core/io/tensor_checks.h"
#include "core/models/irse.h"
#include "core/util/device.h"
#include "core/util/error.h"
#include "core/util/output_set.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <memory>

namespace pae::cli {
namespace {

namespace fs = std::filesystem;

// Tensor `pixels` [N,3,S,S] in [-1,1] (a little slack for resampling overshoot).
torch::Tensor readFacePixels(const std::string& path, int64_t side)
{
    const auto tensors = io::loadSafetensors(path);
    const auto it = tensors.find("pixels");
    if (it == tensors.end())
        throw Error(path + ": no tensor \"pixels\"");
    const auto& t = it->second;
    if (t.dim() != 4 || t.size(0) < 1 || t.size(1) != 3 || t.size(2) != side || t.size(3) != side)
        throw Error(path + ": tensor \"pixels\" has shape " + c10::str(t.sizes()) + ", expected [N,3," +
                    std::to_string(side) + "," + std::to_string(side) + "]");
    io::checkTensorValues(t, path, "pixels", 1.5);
    return t.to(torch::kFloat32);
}

void printRow(const torch::Tensor& row)
{
    const auto cpu = row.to(torch::kCPU, torch::kFloat32).contiguous();
    std::string line = "[";
    char number[32];
    for (int64_t c = 0; c < cpu.size(0); ++c) {
        std::snprintf(number, sizeof number, "%s%.9g", c ? "," : "", double(cpu[c].item<float>()));
        line += number;
    }
    std::cout << line << "]\n";
}

// An image file → [1,3,H,W] in [-1,1].
torch::Tensor facePixels(const ImageRGB& image) { return io::imageToTensor(image) * 2.0 - 1.0; }

struct IdentityOptions {
    std::string arcface;
    std::string pixels;
    std::vector<std::string> images;
    std::string device = "auto";
    bool json = false;
};

void runIdentity(const IdentityOptions& o)
{
    if (o.pixels.empty() == o.images.empty())
        throw UsageError("identity: give either --pixels or two --image files");
    if (!o.images.empty() && o.images.size() != 2)
        throw UsageError("identity: --image: give exactly two images (got " + std::to_string(o.images.size()) + ")");
    torch::Tensor input;
    if (!o.pixels.empty())
        input = readFacePixels(o.pixels, 112);
    else
        input = torch::cat({models::identityCrop(facePixels(io::readImage(o.images[0]))),
                            models::identityCrop(facePixels(io::readImage(o.images[1])))});
    const auto device = resolveDevice(parseDeviceChoice(o.device));
    models::IdentityNet model = models::loadArcFace(fs::path(o.arcface), device);
    torch::NoGradGuard noGrad;
    const auto embeddings = model.net->forward(input.to(device)).cpu();
    if (!o.pixels.empty()) {
        for (int64_t i = 0; i < embeddings.size(0); ++i)
            printRow(embeddings[i]);
        return;
    }
    const float similarity = (embeddings[0] * embeddings[1]).sum().item<float>();
    if (o.json)
        std::cout
            << nlohmann::json{{"similarity", similarity}, {"images", o.images}, {"model", model.description}}.dump(2)
            << "\n";
    else
        std::cout << similarity << "\n";
}

struct EncodeOptions {
    ModelOptions models;
    std::string pixels;
    std::string image;
    bool align = false;
    std::string latentOut;
    std::string out;
    bool json = false;
    bool noClobber = false;
};

void runEncode(const EncodeOptions& o)
{
    if (o.pixels.empty() == o.image.empty())
        throw UsageError("encode: give either --pixels or --image");
    if (o.models.encoderFile.empty())
        throw UsageError("encode: --encoder is required (an e4e file such as e4e_ffhq_encode.pt)");
    if (!o.out.empty() && !io::isWritableImagePath(o.out))
        throw UsageError("encode: --out " + o.out + ": unknown image type (use .png, .jpg, …)");
    if (!o.pixels.empty() && (!o.out.empty() || o.align))
        throw UsageError("encode: --out and --align go with --image, not --pixels");
    OutputSet outputs(o.noClobber);
    const fs::path latentFile = outputs.add(o.latentOut, "--latent-out");
    const fs::path imageFile = o.out.empty() ? fs::path() : outputs.add(o.out, "--out");

    if (!o.pixels.empty()) {
        const auto device = resolveDevice(parseDeviceChoice(o.models.device));
        const models::Encoder encoder = models::loadE4e(fs::path(o.models.encoderFile), device);
        const auto input = readFacePixels(o.pixels, encoder.inputSize);
        torch::NoGradGuard noGrad;
        const auto w = encoder.encode(input.to(device)).cpu().contiguous();
        io::writeLatentFile(latentFile, w);
        outputs.commit();
        return;
    }
    ImageRGB image = io::readImage(o.image);
    const std::unique_ptr<FaceAligner> aligner = o.align ? std::make_unique<FaceAligner>() : nullptr;
    const std::shared_ptr<ModelSet> models = o.models.load();
    if (aligner)
        image = aligner->align(image, alignedSizeFor(models->info().resolution), o.image).image;
    InversionRequest request;
    request.image = image;
    request.steps = 0; // the encoder's answer as it is; `invert --encoder --steps N` refines it
    request.previewEvery = 0;
    const InversionResult encoded = InversionJob(models).run(request);
    models->saveLatent(encoded.latent, latentFile);
    if (!o.out.empty())
        io::writeImage(encoded.image, imageFile);
    outputs.commit();
    if (o.json) {
        std::cout << nlohmann::json{{"image", o.image},
                                    {"latent", o.latentOut},
                                    {"psnr_db", encoded.psnr},
                                    {"resolution", encoded.resolution},
                                    {"cropped", encoded.cropped},
                                    {"aligned", o.align},
                                    {"seconds", encoded.encodeSeconds}}
                         .dump(2)
                  << "\n";
        return;
    }
    if (encoded.cropped)
        std::cout << "the image is not square: its centre square was used\n";
    std::cout << "encoded in " << encoded.encodeSeconds << " s, reproduced at " << encoded.psnr << " dB PSNR ("
              << encoded.resolution << "²); latent written to " << o.latentOut << "\n";
}

} // namespace

void addIdentityCommands(CLI::App& app)
{
    auto id = std::make_shared<IdentityOptions>();
    CLI::App* cmd = app.add_subcommand(
        "identity", "ArcFace identity: embeddings of face pixels, or the identity similarity of two face images");
    cmd->add_option("--arcface", id->arcface, "ArcFace IR-SE50 file (InsightFace_Pytorch's model_ir_se50.pth)")
        ->required();
    cmd->add_option("--pixels", id->pixels,
                    "safetensors file with \"pixels\" [N,3,112,112] in [-1,1]: print one JSON array (the unit "
                    "embedding) per row");
    cmd->add_option("--image", id->images,
                    "Two face images: print the cosine of their embeddings, as the pSp/StyleCLIP identity loss sees "
                    "them (256², crop 35:223 × 32:220, 112²)");
    cmd->add_option("--device", id->device, "auto, cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
    cmd->add_flag("--json", id->json, "With --image: print the result as JSON");
    cmd->callback([id] { runIdentity(*id); });

    auto en = std::make_shared<EncodeOptions>();
    CLI::App* enc = app.add_subcommand("encode", "A face's W+ latent in one pass of an e4e encoder");
    en->models.add(enc);
    enc->add_option("--pixels", en->pixels,
                    "safetensors file with \"pixels\" [N,3,256,256] in [-1,1]: writes tensor \"w\" [N,rows,512]");
    enc->add_option("--image", en->image, "A face image, framed like the generator's faces (or a photo with --align)");
    enc->add_flag("--align", en->align, "Find the face and crop it the FFHQ way first (what `align` does)");
    enc->add_option("--latent-out", en->latentOut, "Where to write the W+ latent (.safetensors)")->required();
    enc->add_option("--out", en->out, "With --image: also write the generator's reconstruction");
    enc->add_flag("--json", en->json, "With --image: print the result as JSON");
    addNoClobber(enc, en->noClobber);
    enc->callback([en] { runEncode(*en); });
}

} // namespace pae::cli
