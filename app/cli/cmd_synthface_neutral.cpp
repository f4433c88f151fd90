// `pae-cli synthface neutral-seed`: which face the studio shows first on the built-in world.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/edit/model_set.h"
#include "core/synthface/neutral.h"
#include "core/util/output_set.h"
#include "core/util/paths.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace pae::cli {

void addSynthfaceNeutralCommand(CLI::App& group)
{
    struct Options {
        int count = 256;
        std::string out;
        bool noClobber = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = group.add_subcommand(
        "neutral-seed", "Find the most neutral face of the built-in world (the studio's first face) with the regressor");
    cmd->add_option("--count", o->count, "Read the faces of seeds 0 … count−1")->capture_default_str()->check(
        CLI::Range(1, 100000));
    cmd->add_option("--out", o->out,
                    "Write studio.json here (the built-in models folder's studio.json is what the studio reads)");
    addNoClobber(cmd, o->noClobber);
    cmd->callback([o] {
        OutputSet outputs(o->noClobber);
        const std::filesystem::path outFile = o->out.empty() ? std::filesystem::path() : outputs.add(o->out, "--out");
        const auto models = ModelSet::load(ModelPaths{});
        const synthface::NeutralFace face = synthface::pickNeutralSeed(*models, o->count);
        const std::string json = synthface::neutralFaceJson(face);
        if (!outFile.empty())
            writeFileAtomically(outFile, json.data(), json.size());
        outputs.commit();
        std::cout << json;
    });
}

} // namespace pae::cli
