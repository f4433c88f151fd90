#pragma once
// What many tests need, written once: pae-cli run as a user runs it, and the message of the
// error a call throws.
#include "core/util/error.h"

#include <QString>
#include <QStringList>

#include <string>

namespace pae::test {

struct CliResult {
    int exitCode = -1; // -1: it did not finish in time; -2: it crashed (ended by a signal)
    QString out;
    QString err;
    QStringList lines() const { return out.split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
};

struct CliOptions {
    QString cacheDir;   // XDG_CACHE_HOME of the run; empty: the test's own
    QString workingDir; // empty: the test's
    int timeoutMs = 240000;

    static CliOptions cachedIn(const QString& cacheDir, const QString& workingDir = {})
    {
        CliOptions o;
        o.cacheDir = cacheDir;
        o.workingDir = workingDir;
        return o;
    }
    static CliOptions timeout(int ms)
    {
        CliOptions o;
        o.timeoutMs = ms;
        return o;
    }
};

// Bounds on time (a GUI thread that must not stall, a cancel that must be quick) are
// benchmarks, not unit tests: the default suite builds a test without PAE_TIMING_CHECKS and
// checks behaviour only; the same source built as <test>_bench (label bench, opt-in) checks
// the bounds too. Use: if (pae::test::kTimingChecks) QVERIFY2(worst < 50, ...);
#ifdef PAE_TIMING_CHECKS
inline constexpr bool kTimingChecks = true;
#else
inline constexpr bool kTimingChecks = false;
#endif

// Runs the pae-cli this build made with `args` and waits for it.
CliResult runCli(const QStringList& args, const CliOptions& options = {});

// What errorOf returns when the call threw nothing.
inline constexpr char kNoError[] = "(no error)";

// The message of the pae::Error `f` throws (what a user would read), kNoError when it throws
// none. Any other exception passes through and fails the test: a raw library message must
// never be what a user reads.
template <typename F>
std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const pae::Error& e) {
        return e.what();
    }
    return kNoError;
}

} // namespace pae::test
