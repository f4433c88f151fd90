#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/util/device.h"
#include "core/util/process.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "core/util/output_set.h"

#include <c10/util/Exception.h>

#include <csignal>
#include <iostream>
#include <new>

int main(int argc, char** argv)
{
    pae::ensurePassiveOpenMpWait(argv);
    CLI::App app{"pae-cli: text-guided face editing with CLIP-PAE, without a window"};
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every subcommand");
    int verbosity = 0;
    app.add_flag("-v,--verbose", verbosity, "Log more (repeat for debug output)");
    pae::configureThreads(0);
    app.parse_complete_callback([&] {
        if (verbosity >= 2)
            pae::log::setLevel(spdlog::level::debug);
        else if (verbosity == 1)
            pae::log::setLevel(spdlog::level::info);
    });

    pae::cli::addInfoCommand(app);
    pae::cli::addTokenizeCommand(app);
    pae::cli::addEmbedCommand(app);
    pae::cli::addAnalyzeCommand(app);
    pae::cli::addSynthfaceCommand(app);
    pae::cli::addGenerateCommand(app);
    pae::cli::addEditCommands(app);
    pae::cli::addAlignCommand(app);
    pae::cli::addInvertCommand(app);
    pae::cli::addIdentityCommands(app);
    pae::cli::addPresetCommands(app);
    pae::cli::addBenchCommand(app);
    pae::cli::addBatchCommand(app);
    pae::cli::addBatchReportCommand(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)
            return app.exit(e);
        std::cerr << "error: " << e.what() << "\n(run 'pae-cli --help' for usage)\n";
        return 2;
    } catch (const pae::Cancelled&) {
        // Ctrl-C or SIGTERM: the job stopped at its next step and no output was written.
        std::cerr << "cancelled; nothing was written\n";
        return 128 + (pae::cli::interruptSignal() ? pae::cli::interruptSignal() : SIGINT);
    } catch (const pae::UsageError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const c10::Error& e) {
        std::cerr << "error: " << pae::OutputSet::withTargetNames(e.what_without_backtrace()) << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory (an input or --count larger than this machine can hold)\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << pae::OutputSet::withTargetNames(e.what()) << "\n";
        return 1;
    }
    return 0;
}
