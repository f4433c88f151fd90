#include "app/cli/checks.h"

#include "core/util/error.h"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace pae::cli {
namespace {

std::string number(double v)
{
    char text[48];
    std::snprintf(text, sizeof text, "%.9g", v);
    return text;
}

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void onInterrupt(int signal)
{
    g_interrupted = signal;
    std::signal(signal, SIG_DFL); // a second one ends the process at once
}

} // namespace

CLI::Validator seedRange()
{
    return CLI::Validator(
        [](std::string& text) -> std::string {
            errno = 0;
            const bool digits = !text.empty() && text.size() <= 20 &&
                                text.find_first_not_of("0123456789") == std::string::npos;
            if (digits && std::strtoull(text.c_str(), nullptr, 10) <= kMaxSeed && errno != ERANGE)
                return {};
            return "'" + text + "' is not a seed; seeds are whole numbers from 0 to " + std::to_string(kMaxSeed) +
                   " (2^32 - 1)";
        },
        "SEED in 0..4294967295");
}

CLI::Validator finiteRange(double lo, double hi)
{
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            char* end = nullptr;
            errno = 0;
            const double v = text.empty() ? NAN : std::strtod(text.c_str(), &end);
            const bool parsed = !text.empty() && end && *end == '\0';
            if (parsed && std::isfinite(v) && v >= lo && v <= hi)
                return {};
            return "'" + text + "' is not " + (parsed && std::isfinite(v) ? "within" : "a finite number in") + " [" +
                   number(lo) + ", " + number(hi) + "]";
        },
        "NUMBER in [" + number(lo) + ", " + number(hi) + "]");
}

CLI::Validator wholeRange(int64_t lo, int64_t hi)
{
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            char* end = nullptr;
            errno = 0;
            const long long v = text.empty() ? 0 : std::strtoll(text.c_str(), &end, 10);
            if (!text.empty() && end && *end == '\0' && errno != ERANGE && v >= lo && v <= hi)
                return {};
            return "'" + text + "' is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
        },
        "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

CLI::Validator threadCount()
{
    const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
    CLI::Validator v = wholeRange(0, cores);
    return CLI::Validator(
        [v, cores](std::string& text) -> std::string {
            std::string copy = text;
            const std::string problem = v(copy);
            if (problem.empty())
                return {};
            return "'" + text + "' threads: this machine has " + std::to_string(cores) + " core" +
                   (cores == 1 ? "" : "s") + "; give 0 (all of them) up to " + std::to_string(cores);
        },
        "0.." + std::to_string(cores));
}

std::vector<float> parseNumberList(const std::string& text, const std::string& option, double lo, double hi)
{
    std::vector<float> values;
    const CLI::Validator check = finiteRange(lo, hi);
    size_t begin = 0;
    while (true) {
        const size_t comma = text.find(',', begin);
        std::string item = text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
        const size_t first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
        item = first == std::string::npos ? std::string() : item.substr(first, last - first + 1);
        if (item.empty())
            throw UsageError(option + ": an empty value in '" + text + "' (expected e.g. 2,5,8)");
        std::string copy = item;
        if (const std::string problem = check(copy); !problem.empty())
            throw UsageError(option + ": " + problem + " (expected e.g. 2,5,8)");
        values.push_back(std::stof(item));
        if (comma == std::string::npos)
            break;
        begin = comma + 1;
    }
    return values;
}

void addNoClobber(CLI::App* cmd, bool& noClobber)
{
    cmd->add_flag("--no-clobber", noClobber, "Refuse to replace output files that exist (default: replace them)");
    cmd->footer("Existing output files are replaced without asking (as cp and most tools do); --no-clobber refuses "
                "instead. A command writes all of its outputs or none of them.");
}

void catchInterrupt()
{
    g_interrupted = 0;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

bool interruptRequested() { return g_interrupted != 0; }

int interruptSignal() { return g_interrupted; }

} // namespace pae::cli
