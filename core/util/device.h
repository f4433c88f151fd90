#pragma once
#include <torch/types.h>

#include <string>

namespace pae {

enum class DeviceChoice { Auto, Cpu, Cuda };

// "auto", "cpu" or "cuda"; anything else is a UsageError naming the value.
DeviceChoice parseDeviceChoice(const std::string& text);
std::string toString(DeviceChoice choice);

// Auto picks CUDA when this LibTorch has it and a GPU is present. Asking for CUDA where
// there is none is an error, never a silent fallback to the CPU.
torch::Device resolveDevice(DeviceChoice choice);

// Thread count for intra-op parallelism; 0 means all cores.
void configureThreads(int threads);

} // namespace pae
