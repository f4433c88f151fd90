#pragma once
// The checkpoint format torch.save wrote before PyTorch 1.6 (and still writes with
// _use_new_zipfile_serialization=False): no container, a stream of pickles (magic number,
// format version, sys_info, the object, the storage key list) followed by the raw bytes
// of every storage. The object pickle goes through the same restricted unpickler as the
// zip format's data.pkl.
#include "core/io/tensor_map.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace pae::io::detail {

// True when the bytes start like a legacy checkpoint (a pickle's PROTO opcode).
bool looksLikeLegacyCheckpoint(const uint8_t* data, size_t size);

TensorMap loadLegacyCheckpoint(const std::filesystem::path& path);

TensorMap parseLegacyCheckpoint(const uint8_t* data, size_t size, const std::string& source);

} // namespace pae::io::detail
