#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/io/image.h"
#include "core/synthface/attributes_json.h"
#include "core/synthface/renderer.h"
#include "core/util/error.h"
#include "core/util/output_set.h"
#include "core/util/paths.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace pae::cli {

namespace {

struct RenderArgs {
    uint64_t seed = 0;
    int count = 1;
    int size = 128;
    int columns = 0;
    std::string out;
    std::string attributesOut;
    bool noClobber = false;
};

void runRender(const RenderArgs& args)
{
    namespace sf = pae::synthface;
    if (args.count < 1 || args.count > 4096)
        throw UsageError("--count " + std::to_string(args.count) + " is outside [1, 4096]");
    if (args.size < sf::kMinRenderSize || args.size > sf::kMaxRenderSize)
        throw UsageError("--size " + std::to_string(args.size) + " is outside [" +
                         std::to_string(sf::kMinRenderSize) + ", " + std::to_string(sf::kMaxRenderSize) + "]");
    if (args.columns < 0)
        throw UsageError("--columns must be positive");
    if (args.seed + uint64_t(args.count) - 1 > kMaxSeed)
        throw UsageError("--seed " + std::to_string(args.seed) + " with --count " + std::to_string(args.count) +
                         " runs past the last seed, " + std::to_string(kMaxSeed));
    if (!io::isWritableImagePath(args.out))
        throw UsageError("--out " + args.out + ": unknown image type (use .png, .jpg, .jpeg, .webp or .bmp)");
    OutputSet outputs(args.noClobber);
    const std::filesystem::path imageFile = outputs.add(args.out, "--out");
    const std::filesystem::path attributesFile =
        args.attributesOut.empty() ? std::filesystem::path() : outputs.add(args.attributesOut, "--attributes-out");

    std::vector<ImageRGB> images;
    nlohmann::json faces = nlohmann::json::array();
    for (int i = 0; i < args.count; ++i) {
        // Face i is the face of seed + i, so any tile can be rendered again on its own.
        const uint64_t seed = args.seed + static_cast<uint64_t>(i);
        const sf::Attributes attributes = sf::sampleAttributes(seed);
        images.push_back(sf::render(attributes, args.size));
        faces.push_back({{"seed", seed},
                         {"hair_color_name", sf::hairColorName(attributes.hairColor())},
                         {"attributes", sf::toJson(attributes)}});
    }
    const int columns = args.columns > 0 ? args.columns
                                         : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(args.count))));
    const ImageRGB image = args.count == 1 ? images.front() : sf::tileImages(images, columns, 0);
    io::writeImage(image, imageFile);
    if (!args.attributesOut.empty()) {
        const nlohmann::json doc = {{"size", args.size}, {"columns", args.count == 1 ? 1 : columns}, {"faces", faces}};
        const std::string text = doc.dump(2) + "\n";
        writeFileAtomically(attributesFile, text.data(), text.size());
    }
    outputs.commit();
}

} // namespace

void addSynthfaceRenderCommand(CLI::App& synthface)
{
    auto args = std::make_shared<RenderArgs>();
    auto* cmd = synthface.add_subcommand("render", "Render SynthFaces drawn from seeds (several: a grid, row by row)");
    cmd->add_option("--seed", args->seed, "Seed of the first face (0 to 4294967295)")->required()->check(seedRange());
    cmd->add_option("--count", args->count, "Number of faces; face i uses seed + i")->capture_default_str();
    cmd->add_option("--size", args->size, "Side of each face in pixels")->capture_default_str();
    cmd->add_option("--columns", args->columns, "Faces per row of the grid (default: a square grid)");
    cmd->add_option("--out", args->out, "Image to write (.png, .jpg, .jpeg, .webp, .bmp)")->required();
    cmd->add_option("--attributes-out", args->attributesOut, "Also write each face's seed and attributes as JSON");
    addNoClobber(cmd, args->noClobber);
    cmd->callback([args] { runRender(*args); });
}

} // namespace pae::cli
