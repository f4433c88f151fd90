#pragma once
// A whole regular file mapped read-only, so large model files are read without being held
// twice (file bytes and tensors). Used by the safetensors and legacy .pt readers.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace pae::io {

class MappedFile {
public:
    // pae::Error "<path>: cannot open|stat|map into memory: <reason>" or "<path>: not a
    // regular file". An empty file maps to data() == nullptr, size() == 0.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return m_data; }
    size_t size() const { return m_size; }

private:
    const uint8_t* m_data = nullptr;
    size_t m_size = 0;
};

} // namespace pae::io
