#pragma once
// safetensors (https://github.com/huggingface/safetensors): 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {…}}, then
// the raw little-endian data. Everything in the header is validated against the file
// before a byte of tensor data is trusted.
#include "core/io/tensor_map.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pae::io {

struct TensorInfo {
    std::string name;
    std::string dtype; // "F32", "F16", "BF16", "I64", …
    std::vector<int64_t> shape;
    uint64_t begin = 0; // offsets into the data section
    uint64_t end = 0;
};

// A memory-mapped safetensors file: the header is parsed and validated on open, tensors
// are copied out one at a time, so loading a 600 MB file never needs twice its size.
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const;
    std::vector<std::string> names() const;
    bool contains(const std::string& name) const;
    const TensorInfo& info(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const;
    // An owning CPU tensor of the stored dtype.
    torch::Tensor load(const std::string& name) const;
    TensorMap loadAll() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Parse from memory (used by the fuzzer and by tests of malformed input).
TensorMap parseSafetensors(const uint8_t* data, size_t size, const std::string& sourceName = "<memory>");

TensorMap loadSafetensors(const std::filesystem::path& path);

// Written atomically: a temporary file beside the target, then a rename. Tensors are
// made contiguous and copied to the CPU; supported dtypes: F32, F16, BF16, F64, I64,
// I32, I16, I8, U8, BOOL.
void saveSafetensors(const std::filesystem::path& path, const TensorMap& tensors,
                     const std::map<std::string, std::string>& metadata = {});

} // namespace pae::io
