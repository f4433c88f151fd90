#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/synthface/attributes_json.h"
#include "core/synthface/captions.h"
#include "core/util/error.h"

#include <cstdint>
#include <iostream>

namespace pae::cli {

namespace {

struct CaptionArgs {
    uint64_t seed = 0;
    int count = 1;
    int perFace = 5;
};

void runCaptions(const CaptionArgs& args)
{
    namespace sf = pae::synthface;
    if (args.count < 1)
        throw UsageError("--count must be at least 1");
    if (args.perFace < 1 || args.perFace > 1000)
        throw UsageError("--per-face " + std::to_string(args.perFace) + " is outside [1, 1000]");
    for (int i = 0; i < args.count; ++i) {
        const uint64_t seed = args.seed + static_cast<uint64_t>(i);
        const sf::Attributes attributes = sf::sampleAttributes(seed);
        nlohmann::json concepts = nlohmann::json::array();
        for (sf::Concept c : sf::presentConcepts(attributes))
            concepts.push_back(sf::conceptName(c));
        const nlohmann::json line = {{"seed", seed},
                                     {"attributes", sf::toJson(attributes)},
                                     {"concepts", concepts},
                                     {"captions", sf::faceCaptions(seed, attributes, args.perFace)}};
        std::cout << line.dump() << "\n";
    }
    std::cout.flush();
    if (!std::cout)
        throw Error("writing the captions to standard output failed");
}

} // namespace

void addSynthfaceCaptionsCommand(CLI::App& synthface)
{
    auto args = std::make_shared<CaptionArgs>();
    auto* cmd = synthface.add_subcommand(
        "captions", "Print one JSON line per SynthFace: seed, attributes, the concepts present, captions");
    cmd->add_option("--seed", args->seed, "Seed of the first face (0 to 4294967295)")->required()->check(seedRange());
    cmd->add_option("--count", args->count, "Number of faces; face i uses seed + i")->capture_default_str()->check(
        wholeRange(1, 1000000));
    cmd->add_option("--per-face", args->perFace, "Captions per face")->capture_default_str()->check(
        wholeRange(1, 1000));
    cmd->callback([args] { runCaptions(*args); });
}

} // namespace pae::cli
