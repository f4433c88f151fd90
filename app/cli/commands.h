#pragma once
// Each pae-cli subcommand lives in its own file and registers itself on the root app.
// A command's callback does the work; errors leave as exceptions and main() turns them
// into one "error: …" line and the exit code (1, or 2 for usage errors).
#include <CLI/CLI.hpp>

namespace pae::cli {

void addInfoCommand(CLI::App& app);
void addEditCommands(CLI::App& app);  // edit, sweep
void addBenchCommand(CLI::App& app);

} // namespace pae::cli
