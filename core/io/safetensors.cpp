#include "core/io/safetensors.h"

#include "core/io/mapped_file.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>


#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <unordered_map>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; this reader copies it verbatim"
#endif

namespace pae::io {
namespace fs = std::filesystem;

namespace {

// The reference implementation refuses headers above 100 MB; a real header is a few
// hundred KB even for models with thousands of tensors.
constexpr uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;
// A header entry is at most {"name": {"shape": [..]}}: anything deeper is not safetensors,
// and refusing it early keeps a hostile file from exhausting the stack.
constexpr int kMaxJsonDepth = 3;
constexpr size_t kMaxDims = 64;

struct DtypeSpec {
    const char* name;
    torch::ScalarType type;
    size_t itemsize;
};

constexpr DtypeSpec kDtypes[] = {
    {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kFloat64, 8}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
    {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},     {"U8", torch::kUInt8, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeSpec* findDtype(const std::string& name)
{
    for (const auto& spec : kDtypes)
        if (name == spec.name)
            return &spec;
    return nullptr;
}

const DtypeSpec* findDtype(torch::ScalarType type)
{
    for (const auto& spec : kDtypes)
        if (type == spec.type)
            return &spec;
    return nullptr;
}

std::string rangeString(uint64_t a, uint64_t b)
{
    return "[" + std::to_string(a) + "," + std::to_string(b) + "]";
}

// Everything the header says, checked against the bytes that follow it.
struct Header {
    std::vector<TensorInfo> tensors; // sorted by name
    std::unordered_map<std::string, size_t> index;
    std::map<std::string, std::string> metadata;
    uint64_t dataStart = 0; // offset of the data section in the file
};

uint64_t readU64LE(const uint8_t* p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

// nlohmann accepts 2.0 and 1e3 as numbers; offsets and dims must be plain non-negative integers.
bool toUnsigned(const nlohmann::json& j, uint64_t& out)
{
    if (j.is_number_unsigned()) {
        out = j.get<uint64_t>();
        return true;
    }
    if (j.is_number_integer() && j.get<int64_t>() >= 0) {
        out = static_cast<uint64_t>(j.get<int64_t>());
        return true;
    }
    return false;
}

nlohmann::json parseJson(const uint8_t* begin, const uint8_t* end, const std::string& source)
{
    // Duplicate keys would let a file show a different tensor to us than to other readers;
    // nlohmann silently keeps the last one, so they are caught while parsing.
    std::vector<std::set<std::string>> keysPerObject;
    int depth = 0;
    auto callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        switch (event) {
        case E::object_start:
        case E::array_start:
            if (++depth > kMaxJsonDepth)
                throw Error(source + ": the header nests deeper than a safetensors header can");
            keysPerObject.emplace_back();
            break;
        case E::object_end:
        case E::array_end:
            --depth;
            keysPerObject.pop_back();
            break;
        case E::key: {
            const std::string& key = parsed.get_ref<const std::string&>();
            if (!keysPerObject.back().insert(key).second)
                throw Error(source + ": the header has the key '" + key + "' twice");
            break;
        }
        case E::value:
            break;
        }
        return true;
    };
    try {
        return nlohmann::json::parse(begin, end, callback);
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] " tag: the user needs the position.
        if (const auto pos = what.find("] "); what.rfind("[json.", 0) == 0 && pos != std::string::npos)
            what = what.substr(pos + 2);
        throw Error(source + ": the header is not valid JSON: " + what);
    }
}

TensorInfo parseEntry(const std::string& name, const nlohmann::json& entry, uint64_t dataSize,
                      const std::string& source)
{
    const std::string where = source + ": tensor '" + name + "'";
    if (!entry.is_object())
        throw Error(where + ": the header entry is not an object");
    TensorInfo info;
    info.name = name;

    const auto dtype = entry.find("dtype");
    if (dtype == entry.end() || !dtype->is_string())
        throw Error(where + ": 'dtype' is missing or not a string");
    info.dtype = dtype->get<std::string>();
    const DtypeSpec* spec = findDtype(info.dtype);
    if (!spec)
        throw Error(where + ": unsupported dtype '" + info.dtype +
                    "' (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");

    const auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array())
        throw Error(where + ": 'shape' is missing or not an array");
    if (shape->size() > kMaxDims)
        throw Error(where + ": 'shape' has " + std::to_string(shape->size()) + " dimensions");
    // numel * itemsize must fit both the data section and torch's int64 sizes.
    uint64_t bytes = spec->itemsize;
    for (const auto& dim : *shape) {
        uint64_t d = 0;
        if (!toUnsigned(dim, d) || d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw Error(where + ": 'shape' holds " + dim.dump() + ", not a non-negative integer");
        info.shape.push_back(static_cast<int64_t>(d));
        if (__builtin_mul_overflow(bytes, d, &bytes) ||
            bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw Error(where + ": the shape's byte size overflows");
    }

    const auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
        !toUnsigned((*offsets)[0], info.begin) || !toUnsigned((*offsets)[1], info.end))
        throw Error(where + ": 'data_offsets' is missing or not two non-negative integers");
    if (info.begin > info.end)
        throw Error(where + ": data_offsets " + rangeString(info.begin, info.end) + " end before they begin");
    if (info.end > dataSize)
        throw Error(where + ": data_offsets " + rangeString(info.begin, info.end) + " exceed the data section (" +
                    std::to_string(dataSize) + " bytes)");
    if (info.end - info.begin != bytes)
        throw Error(where + ": data_offsets " + rangeString(info.begin, info.end) + " hold " +
                    std::to_string(info.end - info.begin) + " bytes, but " + info.dtype + " of this shape needs " +
                    std::to_string(bytes));
    return info;
}

Header parseHeader(const uint8_t* data, size_t size, const std::string& source)
{
    if (size < 8)
        throw Error(source + ": the file is too short (" + std::to_string(size) +
                    " bytes) to be safetensors: it lacks the 8-byte header length");
    const uint64_t headerLen = readU64LE(data);
    if (headerLen > size - 8)
        throw Error(source + ": the header length " + std::to_string(headerLen) + " exceeds the file size (" +
                    std::to_string(size) + " bytes); the file is truncated or not safetensors");
    if (headerLen > kMaxHeaderBytes)
        throw Error(source + ": the header length " + std::to_string(headerLen) + " is larger than 100 MB");
    if (headerLen < 2)
        throw Error(source + ": the header is empty");

    const uint8_t* jsonBegin = data + 8;
    const nlohmann::json json = parseJson(jsonBegin, jsonBegin + headerLen, source);
    if (!json.is_object())
        throw Error(source + ": the header is not a JSON object");

    Header header;
    header.dataStart = 8 + headerLen;
    const uint64_t dataSize = size - header.dataStart;
    for (const auto& [key, value] : json.items()) {
        if (key == "__metadata__") {
            if (!value.is_object())
                throw Error(source + ": '__metadata__' is not an object of strings");
            for (const auto& [mkey, mvalue] : value.items()) {
                if (!mvalue.is_string())
                    throw Error(source + ": '__metadata__' value for '" + mkey + "' is not a string");
                header.metadata[mkey] = mvalue.get<std::string>();
            }
            continue;
        }
        header.tensors.push_back(parseEntry(key, value, dataSize, source));
    }

    // Tensors must tile the data section exactly, as the reference writer lays them out:
    // overlaps would alias two tensors, gaps hide bytes nobody accounts for.
    std::vector<const TensorInfo*> byOffset;
    for (const auto& info : header.tensors)
        byOffset.push_back(&info);
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorInfo* a, const TensorInfo* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t covered = 0;
    const TensorInfo* previous = nullptr;
    for (const TensorInfo* info : byOffset) {
        if (info->begin < covered)
            throw Error(source + ": tensor '" + info->name + "': data_offsets " + rangeString(info->begin, info->end) +
                        " overlap tensor '" + previous->name + "' " + rangeString(previous->begin, previous->end));
        if (info->begin > covered)
            throw Error(source + ": tensor '" + info->name + "': data_offsets " + rangeString(info->begin, info->end) +
                        " leave a gap of " + std::to_string(info->begin - covered) +
                        " unused bytes before it in the data section");
        covered = info->end;
        previous = info;
    }
    if (covered != dataSize)
        throw Error(source + ": the data section has " + std::to_string(dataSize - covered) +
                    " bytes after the last tensor that no tensor accounts for");

    std::sort(header.tensors.begin(), header.tensors.end(),
              [](const TensorInfo& a, const TensorInfo& b) { return a.name < b.name; });
    for (size_t i = 0; i < header.tensors.size(); ++i)
        header.index.emplace(header.tensors[i].name, i);
    return header;
}

torch::Tensor copyOut(const TensorInfo& info, const uint8_t* dataSection, const std::string& source)
{
    const DtypeSpec* spec = findDtype(info.dtype);
    torch::Tensor tensor = torch::empty(info.shape, torch::TensorOptions().dtype(spec->type));
    const uint8_t* src = dataSection + info.begin;
    const size_t bytes = info.end - info.begin;
    if (spec->type == torch::kBool) {
        // A bool byte other than 0 or 1 is undefined behaviour for every consumer.
        for (size_t i = 0; i < bytes; ++i)
            if (src[i] > 1)
                throw Error(source + ": tensor '" + info.name + "': BOOL element " + std::to_string(i) + " is " +
                            std::to_string(src[i]) + ", not 0 or 1");
    }
    if (bytes)
        std::memcpy(tensor.data_ptr(), src, bytes);
    return tensor;
}

std::string systemError(const std::string& what)
{
    return what + ": " + std::strerror(errno);
}

} // namespace

struct SafetensorsFile::Impl {
    fs::path path;
    std::string source;
    std::unique_ptr<MappedFile> file;
    const uint8_t* map = nullptr;
    size_t size = 0;
    Header header;
};

SafetensorsFile::SafetensorsFile(const fs::path& path) : d(std::make_unique<Impl>())
{
    d->path = path;
    d->source = path.string();
    d->file = std::make_unique<MappedFile>(path);
    d->map = d->file->data();
    d->size = d->file->size();
    d->header = parseHeader(d->map, d->size, d->source);
}

SafetensorsFile::~SafetensorsFile() = default;

const fs::path& SafetensorsFile::path() const { return d->path; }

std::vector<std::string> SafetensorsFile::names() const
{
    std::vector<std::string> names;
    names.reserve(d->header.tensors.size());
    for (const auto& info : d->header.tensors)
        names.push_back(info.name);
    return names;
}

bool SafetensorsFile::contains(const std::string& name) const { return d->header.index.count(name) > 0; }

const TensorInfo& SafetensorsFile::info(const std::string& name) const
{
    const auto it = d->header.index.find(name);
    if (it == d->header.index.end())
        throw Error(d->source + ": no tensor named '" + name + "'");
    return d->header.tensors[it->second];
}

const std::map<std::string, std::string>& SafetensorsFile::metadata() const { return d->header.metadata; }

torch::Tensor SafetensorsFile::load(const std::string& name) const
{
    return copyOut(info(name), d->map + d->header.dataStart, d->source);
}

TensorMap SafetensorsFile::loadAll() const
{
    TensorMap out;
    for (const auto& info : d->header.tensors)
        out.emplace(info.name, copyOut(info, d->map + d->header.dataStart, d->source));
    return out;
}

TensorMap parseSafetensors(const uint8_t* data, size_t size, const std::string& sourceName)
{
    const Header header = parseHeader(data, size, sourceName);
    TensorMap out;
    for (const auto& info : header.tensors)
        out.emplace(info.name, copyOut(info, data + header.dataStart, sourceName));
    return out;
}

TensorMap loadSafetensors(const fs::path& path) { return SafetensorsFile(path).loadAll(); }

void saveSafetensors(const fs::path& path, const TensorMap& tensors, const std::map<std::string, std::string>& metadata)
{
    const std::string source = path.string();
    std::vector<torch::Tensor> contiguous;
    contiguous.reserve(tensors.size());
    nlohmann::json header = nlohmann::json::object();
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        if (name == "__metadata__")
            throw Error(source + ": '__metadata__' is reserved and cannot name a tensor");
        if (!tensor.defined())
            throw Error(source + ": tensor '" + name + "' is undefined");
        if (tensor.layout() != torch::kStrided)
            throw Error(source + ": tensor '" + name + "' is not a dense tensor");
        const DtypeSpec* spec = findDtype(tensor.scalar_type());
        if (!spec)
            throw Error(source + ": tensor '" + name + "' has dtype " + std::string(c10::toString(tensor.scalar_type())) +
                        ", which safetensors cannot hold here");
        torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
        const uint64_t bytes = static_cast<uint64_t>(cpu.numel()) * spec->itemsize;
        header[name] = {{"dtype", spec->name}, {"shape", cpu.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        contiguous.push_back(std::move(cpu));
    }
    if (!metadata.empty())
        header["__metadata__"] = metadata;

    std::string json = header.dump();
    // Like the reference writer: pad with spaces so the data section starts 8-byte aligned.
    json.append((8 - json.size() % 8) % 8, ' ');
    uint8_t lengthBytes[8];
    for (int i = 0; i < 8; ++i)
        lengthBytes[i] = static_cast<uint8_t>(static_cast<uint64_t>(json.size()) >> (8 * i));

    // Streamed rather than assembled in memory, so saving a large model does not need twice
    // its size; atomic all the same: a temporary file beside the target, then a rename.
    std::random_device rd;
    const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp-" +
                                               std::to_string(::getpid()) + "-" + std::to_string(rd()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(systemError(source + ": cannot write"));
        out.write(reinterpret_cast<const char*>(lengthBytes), 8);
        out.write(json.data(), static_cast<std::streamsize>(json.size()));
        for (const auto& t : contiguous)
            out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw Error(source + ": write failed (disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw Error(source + ": cannot move the finished file into place: " + ec.message());
    }
}

} // namespace pae::io
