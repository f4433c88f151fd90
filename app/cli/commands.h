#pragma once
// Each pae-cli subcommand lives in its own file and registers itself on the root app.
// A command's callback does the work; errors leave as exceptions and main() turns them
// into one "error: …" line and the exit code (1, or 2 for usage errors).
#include <CLI/CLI.hpp>

namespace pae::cli {

void addInfoCommand(CLI::App& app);
void addTokenizeCommand(CLI::App& app);
void addEmbedCommand(CLI::App& app);
void addAnalyzeCommand(CLI::App& app);

// `synthface` is a group; each of its subcommands lives in its own cmd_synthface_*.cpp and
// is added to the group by addSynthfaceCommand.
void addSynthfaceCommand(CLI::App& app);
void addSynthfaceRenderCommand(CLI::App& synthface);
void addSynthfaceCaptionsCommand(CLI::App& synthface);
void addSynthfaceTrainCommand(CLI::App& synthface);
void addSynthfaceCheckCommand(CLI::App& synthface);
void addSynthfaceEvalCommand(CLI::App& synthface);
void addSynthfaceNeutralCommand(CLI::App& synthface);
void addSynthfaceAxisCommand(CLI::App& synthface);
void addGenerateCommand(CLI::App& app);
void addEditCommands(CLI::App& app);  // edit, sweep
void addBenchCommand(CLI::App& app);
void addInvertCommand(CLI::App& app);
void addIdentityCommands(CLI::App& app); // identity, encode
void addAlignCommand(CLI::App& app);
void addPresetCommands(CLI::App& app); // apply, preset info
void addBatchCommand(CLI::App& app);       // batch
void addBatchReportCommand(CLI::App& app); // batch-report

} // namespace pae::cli
