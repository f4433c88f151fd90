#include "core/util/device.h"

#include "core/util/error.h"
#include "core/util/log.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <thread>

namespace pae {

DeviceChoice parseDeviceChoice(const std::string& text)
{
    if (text == "auto")
        return DeviceChoice::Auto;
    if (text == "cpu")
        return DeviceChoice::Cpu;
    if (text == "cuda")
        return DeviceChoice::Cuda;
    throw UsageError("device: '" + text + "' is not one of auto, cpu, cuda");
}

std::string toString(DeviceChoice choice)
{
    switch (choice) {
    case DeviceChoice::Auto: return "auto";
    case DeviceChoice::Cpu: return "cpu";
    case DeviceChoice::Cuda: return "cuda";
    }
    return "auto";
}

torch::Device resolveDevice(DeviceChoice choice)
{
    const bool haveCuda = torch::cuda::is_available();
    switch (choice) {
    case DeviceChoice::Cpu: return torch::kCPU;
    case DeviceChoice::Cuda:
        if (!haveCuda)
            throw Error("device: CUDA was asked for, but this build of LibTorch has no CUDA or no GPU is visible");
        return torch::kCUDA;
    case DeviceChoice::Auto: break;
    }
    return haveCuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

void configureThreads(int threads)
{
    // Debian's LibTorch (OpenMP backend) starts with one thread on some machines, so "all
    // cores" has to be asked for explicitly; without it every step runs on one core.
    if (threads <= 0)
        threads = int(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    log::debug("intra-op threads: {}", torch::get_num_threads());
}

} // namespace pae
