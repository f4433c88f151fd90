#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/synthface/train.h"
#include "core/util/device.h"

#include <iostream>
#include <string>
#include <vector>

namespace pae::cli {

namespace {

struct TrainArgs {
    std::string out;
    uint64_t seed = 1;
    double scale = 1.0;
    int threads = 1;
    int lanes = 2;
    std::vector<std::string> stages;
};

} // namespace

void addSynthfaceTrainCommand(CLI::App& synthface)
{
    auto args = std::make_shared<TrainArgs>();
    auto* cmd = synthface.add_subcommand(
        "train", "Train the built-in SynthFace models (tiny CLIP, tiny StyleGAN2, attribute regressor) from a seed, "
                 "then write the quality report");
    cmd->add_option("--out", args->out, "Folder for clip/, generator.safetensors, regressor.safetensors")->required();
    cmd->add_option("--seed", args->seed, "Seed of every random choice of the run")->capture_default_str()->check(
        seedRange());
    cmd->add_option("--scale", args->scale, "Multiplies every step count (0.01 for a quick trial)")
        ->capture_default_str()
        ->check(finiteRange(0.0001, 1000));
    cmd->add_option("--stages", args->stages,
                    "Only these stages, comma-separated (vocabulary, clip, generator, regressor, identity, encoder, "
                    "quality); the "
                    "others' outputs are read from --out")
        ->delimiter(',');
    cmd->add_option("--lanes", args->lanes,
                    "Stages side by side: 2 runs the CLIP lane (vocabulary, clip) beside the generator lane "
                    "(regressor, generator), each with --threads threads; 1 runs them in turn. Same models either way")
        ->capture_default_str()
        ->check(CLI::Range(1, 2));
    cmd->add_option("--threads", args->threads,
                    "Intra-op threads (0: every core). One is the default: on a machine whose cores other jobs "
                    "share, OpenMP's barriers make two threads several times slower than one")
        ->capture_default_str()
        ->check(threadCount());
    cmd->callback([args] {
        configureThreads(args->threads);
        synthface::TrainOptions options;
        options.out = args->out;
        options.seed = args->seed;
        options.scale = args->scale;
        options.stages = args->stages;
        options.lanes = args->lanes;
        synthface::trainSynthFace(options, [](const std::string& line) { std::cout << line << std::endl; });
    });
}

} // namespace pae::cli
