#pragma once
// PyTorch checkpoints (.pt/.pth): the zip format torch.save writes since 1.6, and the
// legacy stream format before it (still written with _use_new_zipfile_serialization=False,
// and the format of many StyleGAN2 conversions from early 2020), read by our own
// restricted unpickler. Only the subset that state dicts use is understood: dict,
// collections.OrderedDict, list, tuple, str, int, float, bool, None and tensors rebuilt
// from storages (torch._utils._rebuild_tensor_v2, torch.*Storage). Any other global is
// refused with an error naming it; nothing from the file is ever executed.
#include "core/io/tensor_map.h"

#include <filesystem>

namespace pae::io {

// Nested dicts are flattened with '.'; non-tensor leaves (numbers, strings) are dropped.
// Lists and tuples flatten with their indices ("noises.0"); a file holding one bare
// tensor (torch.save(latents, f)) gives the single entry "".
TensorMap loadTorchCheckpoint(const std::filesystem::path& path);

// The same from memory (fuzzer, tests).
TensorMap parseTorchCheckpoint(const uint8_t* data, size_t size, const std::string& sourceName = "<memory>");

} // namespace pae::io
