#pragma once
// Checks of command-line values shared by the subcommands, and the Ctrl-C cancel. A value
// a validator refuses is a usage error (exit 2) whose message names the option.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace pae::cli {

// Seeds run from 0 to 4294967295 (2^32 − 1): LibTorch's CPU generator keeps 32 bits, so a
// larger seed would silently repeat a smaller one.
inline constexpr uint64_t kMaxSeed = 4294967295ULL;
CLI::Validator seedRange();
// A finite number within [lo, hi] (NaN, Inf and an empty value refused).
CLI::Validator finiteRange(double lo, double hi);
// A whole number within [lo, hi], written as digits (an empty value refused).
CLI::Validator wholeRange(int64_t lo, int64_t hi);
// 0 (every core) up to the cores of this machine.
CLI::Validator threadCount();
// Parses "2,5,8": finite numbers in [lo, hi], no empty items. Throws pae::UsageError
// naming the option.
std::vector<float> parseNumberList(const std::string& text, const std::string& option, double lo, double hi);

// --no-clobber, and a footer saying that outputs are replaced otherwise.
void addNoClobber(CLI::App* cmd, bool& noClobber);

// Ctrl-C (SIGINT) or SIGTERM asks the running job to stop: it finishes its step, removes
// what it wrote (preview frames, temporaries), and the command ends with "cancelled"
// (exit 130, or 143 for SIGTERM). A second signal ends the process at once.
void catchInterrupt();
bool interruptRequested();
int interruptSignal(); // the signal that asked, 0 when none

} // namespace pae::cli
