#include "app/cli/commands.h"

namespace pae::cli {

void addSynthfaceCommand(CLI::App& app)
{
    auto* group = app.add_subcommand("synthface", "The built-in SynthFace world: render faces, write captions, train and check its models");
    group->require_subcommand(1);
    addSynthfaceRenderCommand(*group);
    addSynthfaceCaptionsCommand(*group);
    addSynthfaceTrainCommand(*group);
    addSynthfaceCheckCommand(*group);
    addSynthfaceEvalCommand(*group);
    addSynthfaceNeutralCommand(*group);
    addSynthfaceAxisCommand(*group);
}

} // namespace pae::cli
