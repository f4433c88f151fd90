#pragma once
// The restricted unpickler behind loadTorchCheckpoint, apart from the containers (zip,
// legacy stream) so that it can be tested and fuzzed on its own. It understands the
// opcodes torch.save emits (protocol 2, plus the few later ones that cost nothing) and the
// globals a state dict needs; every other global is refused by name before anything else
// happens.
//
// A pickle is read in two steps: parsing names the storages it needs (and checks every
// tensor against their sizes) without touching any storage bytes; only then are the
// storages loaded and the tensors built. The legacy format needs this order, since its
// storage bytes follow the pickle; the zip format goes through the same steps, so both
// build tensors with the same code.
#include "core/io/tensor_map.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pae::io::detail {

// Returns the bytes of storage `key` as a 1-D CPU tensor of `numel` elements of `dtype`,
// or throws pae::Error. Called at most once per key.
using StorageLoader = std::function<torch::Tensor(const std::string& key, torch::ScalarType dtype, int64_t numel)>;

// A storage the pickle refers to by persistent id ('storage', type, key, location, numel).
struct StorageRef {
    std::string key;
    torch::ScalarType dtype;
    int64_t numel;
};

// A pickle's value when it is plain data (the legacy format's magic number, version,
// sys_info and storage key list). Tuples read as lists.
struct PlainValue {
    enum class Kind { None, Bool, Int, LargeInt, Float, String, Bytes, List, Dict };
    Kind kind = Kind::None;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0;
    // String, Bytes; for a LargeInt (one that does not fit int64) its shortest two's
    // complement, least significant byte first.
    std::string text;
    std::vector<PlainValue> items;
    std::vector<std::pair<PlainValue, PlainValue>> entries; // in insertion order

    // The value of a Dict under a string key (the last one wins, as in Python), or nullptr.
    const PlainValue* find(const std::string& key) const;
};

class Pickle {
public:
    // Runs the VM from `data` up to the pickle's STOP opcode; bytes after it are not read.
    // `source` prefixes every error ("model.pt: …").
    Pickle(const uint8_t* data, size_t size, std::string source);
    ~Pickle();
    Pickle(const Pickle&) = delete;
    Pickle& operator=(const Pickle&) = delete;

    // Offset just past STOP: where the next pickle of a stream begins.
    size_t end() const;

    // The storages the pickle names, each once, in the order it first names them. Views
    // into a storage (legacy view_metadata) are not listed: they load with their storage.
    const std::vector<StorageRef>& storages() const;

    // Throws unless the pickle holds plain data only.
    PlainValue plain() const;

    // Loads every storage (calling loadStorage once for each, in storages() order) and
    // flattens the pickled object: nested dicts, lists and tuples with '.', a bare
    // top-level tensor as the single entry "". Call once.
    TensorMap tensors(const StorageLoader& loadStorage);

private:
    class Unpickler;
    std::unique_ptr<Unpickler> vm_;
};

// Pickle(data, size, source).tensors(loadStorage): what a zip checkpoint's data.pkl holds.
TensorMap unpickleStateDict(const uint8_t* data, size_t size, const std::string& source,
                            const StorageLoader& loadStorage);

} // namespace pae::io::detail
