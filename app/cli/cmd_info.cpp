#include "app/cli/commands.h"
#include "core/util/device.h"

#include <torch/torch.h>

#include <iostream>

namespace pae::cli {

void addInfoCommand(CLI::App& app)
{
    auto* cmd = app.add_subcommand("info", "Show the LibTorch build, devices and thread count");
    cmd->callback([] {
        std::cout << "libtorch " << TORCH_VERSION << "\n"
                  << "cuda available: " << (torch::cuda::is_available() ? "yes" : "no") << "\n"
                  << "auto device: " << resolveDevice(DeviceChoice::Auto) << "\n"
                  << "intra-op threads: " << torch::get_num_threads() << "\n";
    });
}

} // namespace pae::cli
