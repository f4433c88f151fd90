#pragma once
// The restricted unpickler behind loadTorchCheckpoint, apart from the zip container so
// that it can be tested and fuzzed on its own. It understands the opcodes torch.save
// emits (protocol 2, plus the few later ones that cost nothing) and the globals a state
// dict needs; every other global is refused by name before anything else happens.
#include "core/io/tensor_map.h"

#include <cstdint>
#include <functional>
#include <string>

namespace pae::io::detail {

// Returns the bytes of storage `key` as a 1-D CPU tensor of `numel` elements of `dtype`,
// or throws pae::Error. Called at most once per key.
using StorageLoader = std::function<torch::Tensor(const std::string& key, torch::ScalarType dtype, int64_t numel)>;

// `source` prefixes every error ("model.pt: …"). Nested dicts, lists and tuples are
// flattened with '.'; a bare top-level tensor becomes the single entry "".
TensorMap unpickleStateDict(const uint8_t* data, size_t size, const std::string& source,
                            const StorageLoader& loadStorage);

} // namespace pae::io::detail
