#include "core/io/legacy_checkpoint.h"

#include "core/io/mapped_file.h"
#include "core/io/restricted_pickle.h"
#include "core/util/error.h"

#include <torch/torch.h>


#include <cerrno>
#include <cstring>
#include <cstring>
#include <set>
#include <unordered_map>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "legacy checkpoints store little-endian storages; this reader copies them verbatim"
#endif

namespace pae::io::detail {
namespace {

// torch.serialization's MAGIC_NUMBER 0x1950a86a20f9469cfc6c, least significant byte first
// (how a pickled int carries it).
const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
// torch.serialization's PROTOCOL_VERSION: the only version of the format there has been.
constexpr int64_t kFormatVersion = 1001;

std::string describe(const PlainValue& v)
{
    switch (v.kind) {
    case PlainValue::Kind::None: return "None";
    case PlainValue::Kind::Bool: return v.boolean ? "True" : "False";
    case PlainValue::Kind::Int: return std::to_string(v.integer);
    case PlainValue::Kind::LargeInt: return "a " + std::to_string(8 * v.text.size()) + "-bit integer";
    case PlainValue::Kind::Float: return "a float";
    case PlainValue::Kind::String: return "a string";
    case PlainValue::Kind::Bytes: return "bytes";
    case PlainValue::Kind::List: return "a list";
    case PlainValue::Kind::Dict: return "a dict";
    }
    return "an unknown value";
}

class LegacyReader {
public:
    LegacyReader(const uint8_t* data, size_t size, const std::string& source)
        : data_(data), size_(size), source_(source)
    {
    }

    TensorMap read()
    {
        const PlainValue magic = record("magic number");
        if (magic.kind != PlainValue::Kind::LargeInt || magic.text != kMagic)
            throw Error(source_ + ": not a PyTorch checkpoint: the file is a pickle, but it does not start with "
                                  "the magic number of PyTorch's legacy format (found " +
                        describe(magic) + ")");
        const PlainValue version = record("format version");
        if (version.kind != PlainValue::Kind::Int || version.integer != kFormatVersion)
            throw Error(source_ + ": legacy checkpoint format version " + describe(version) +
                        " is not supported (PyTorch writes " + std::to_string(kFormatVersion) + ")");
        checkSysInfo(record("sys_info"));

        if (pos_ >= size_)
            throw Error(source_ + ": the file ends before the pickled object");
        Pickle object(data_ + pos_, size_ - pos_, source_);
        pos_ += object.end();

        const std::vector<std::string> keys = storageKeys(record("storage key list"), object.storages());
        locateStorages(keys, object.storages());
        if (pos_ != size_)
            throw Error(source_ + ": " + std::to_string(size_ - pos_) +
                        " bytes follow the last storage; the file is not one legacy checkpoint");

        return object.tensors([this](const std::string& key, torch::ScalarType dtype, int64_t numel) {
            torch::Tensor storage = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
            const uint64_t bytes = static_cast<uint64_t>(numel) * c10::elementSize(dtype); // checked in locate
            if (bytes > 0)
                std::memcpy(storage.data_ptr(), data_ + dataAt_.at(key), bytes);
            return storage;
        });
    }

private:
    PlainValue record(const std::string& what)
    {
        if (pos_ >= size_)
            throw Error(source_ + ": the file ends before the " + what);
        Pickle pickle(data_ + pos_, size_ - pos_, source_ + " (" + what + " at byte " + std::to_string(pos_) + ")");
        pos_ += pickle.end();
        return pickle.plain();
    }

    // Element sizes are fixed by the storage types, so of sys_info only the byte order
    // matters: older PyTorch wrote each storage's element count in the writer's byte
    // order. torch.load ignores the rest, and so do we.
    void checkSysInfo(const PlainValue& info) const
    {
        if (info.kind != PlainValue::Kind::Dict)
            throw Error(source_ + ": sys_info is " + describe(info) + ", not a dict");
        const PlainValue* little = info.find("little_endian");
        if (!little || little->kind != PlainValue::Kind::Bool)
            throw Error(source_ + ": sys_info has no little_endian flag");
        if (!little->boolean)
            throw Error(source_ + ": the checkpoint was written on a big-endian machine, which is not supported");
    }

    // The list must name exactly the storages the object pickle refers to: a missing one
    // would leave tensors without data, an extra one has no type or size to read it by.
    std::vector<std::string> storageKeys(const PlainValue& list, const std::vector<StorageRef>& refs) const
    {
        if (list.kind != PlainValue::Kind::List)
            throw Error(source_ + ": the storage key list is " + describe(list) + ", not a list");
        std::vector<std::string> keys;
        std::set<std::string> seen;
        for (const PlainValue& item : list.items) {
            if (item.kind != PlainValue::Kind::String)
                throw Error(source_ + ": the storage key list holds " + describe(item) + ", not a key");
            if (!seen.insert(item.text).second)
                throw Error(source_ + ": the storage key list names storage '" + item.text + "' twice");
            keys.push_back(item.text);
        }
        for (const StorageRef& ref : refs)
            if (!seen.count(ref.key))
                throw Error(source_ + ": the storage key list has " + std::to_string(keys.size()) +
                            " keys but not '" + ref.key + "', which the pickle refers to (" +
                            std::to_string(refs.size()) + " storages)");
        if (keys.size() != refs.size()) {
            for (const std::string& key : keys) {
                bool known = false;
                for (const StorageRef& ref : refs)
                    known = known || ref.key == key;
                if (!known)
                    throw Error(source_ + ": the storage key list names storage '" + key +
                                "', which the pickle never refers to");
            }
        }
        return keys;
    }

    // Each storage: its element count as a little-endian int64, then its bytes.
    void locateStorages(const std::vector<std::string>& keys, const std::vector<StorageRef>& refs)
    {
        std::unordered_map<std::string, const StorageRef*> byKey;
        for (const StorageRef& ref : refs)
            byKey.emplace(ref.key, &ref);
        for (size_t i = 0; i < keys.size(); ++i) {
            const StorageRef& ref = *byKey.at(keys[i]);
            const std::string which = "storage '" + ref.key + "' (" + std::to_string(i + 1) + " of " +
                                      std::to_string(keys.size()) + ")";
            if (size_ - pos_ < 8)
                throw Error(source_ + ": the file ends before " + which);
            int64_t count = 0;
            std::memcpy(&count, data_ + pos_, 8);
            pos_ += 8;
            if (count != ref.numel)
                throw Error(source_ + ": " + which + " holds " + std::to_string(count) +
                            " elements, but the pickle gives it " + std::to_string(ref.numel));
            uint64_t bytes = 0;
            if (__builtin_mul_overflow(static_cast<uint64_t>(ref.numel), c10::elementSize(ref.dtype), &bytes) ||
                bytes > size_ - pos_)
                throw Error(source_ + ": the file ends inside " + which + ": " + std::to_string(ref.numel) +
                            " elements of " + c10::toString(ref.dtype) + " need more than the " +
                            std::to_string(size_ - pos_) + " bytes left");
            dataAt_.emplace(ref.key, pos_);
            pos_ += bytes;
        }
    }

    const uint8_t* data_;
    size_t size_;
    const std::string& source_;
    size_t pos_ = 0;
    std::unordered_map<std::string, size_t> dataAt_;
};

} // namespace

bool looksLikeLegacyCheckpoint(const uint8_t* data, size_t size) { return size >= 1 && data[0] == 0x80; }

TensorMap parseLegacyCheckpoint(const uint8_t* data, size_t size, const std::string& source)
{
    try {
        return LegacyReader(data, size, source).read();
    } catch (const c10::Error& e) {
        throw Error(source + ": " + e.what_without_backtrace());
    }
}

TensorMap loadLegacyCheckpoint(const std::filesystem::path& path)
{
    const MappedFile file(path);
    return parseLegacyCheckpoint(file.data(), file.size(), path.string());
}

} // namespace pae::io::detail
