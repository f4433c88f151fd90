#include "core/io/torch_checkpoint.h"

#include "core/io/legacy_checkpoint.h"
#include "core/io/restricted_pickle.h"
#include "core/util/error.h"

#include <torch/torch.h>
#include <zip.h>

#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "torch.save writes little-endian storages; this reader copies them verbatim"
#endif

namespace pae::io {
namespace {

// Deflate cannot expand data more than about 1032:1; a record claiming more is corrupt,
// and refusing it keeps a forged size from triggering a huge allocation.
constexpr uint64_t kMaxDeflateRatio = 1032;

std::string zipErrorText(int code)
{
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return text;
}

// How many leading bytes tell the formats apart: a tar header's "ustar" sits at 257.
constexpr size_t kHeadBytes = 262;

// The tar container torch.save used in its first releases ('storages', 'tensors' and
// 'pickle' members) predates even the legacy stream format.
void refuseTarFormat(const uint8_t* head, size_t size, const std::string& source)
{
    if (size >= kHeadBytes && std::memcmp(head + 257, "ustar", 5) == 0)
        throw Error(source + ": this is the tar checkpoint format of PyTorch's first releases, which is not "
                             "supported; re-save it with a newer PyTorch: torch.save(torch.load(old), new)");
}

class Archive {
public:
    Archive(zip_t* zip, std::string source) : zip_(zip), source_(std::move(source)) {}
    ~Archive() { zip_discard(zip_); }
    Archive(const Archive&) = delete;
    Archive& operator=(const Archive&) = delete;

    // torch.save puts everything under one folder ("archive/" or the file's stem).
    std::string findPrefix() const
    {
        const zip_int64_t count = zip_get_num_entries(zip_, 0);
        std::string prefix;
        bool found = false;
        for (zip_int64_t i = 0; i < count; ++i) {
            const char* name = zip_get_name(zip_, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
            if (!name)
                continue;
            const std::string entry = name;
            const size_t slash = entry.find('/');
            if (slash == std::string::npos || entry.compare(slash, std::string::npos, "/data.pkl") != 0)
                continue;
            if (found)
                throw Error(source_ + ": the archive holds more than one data.pkl ('" + prefix + "/data.pkl', '" +
                            entry + "')");
            prefix = entry.substr(0, slash);
            found = true;
        }
        if (!found)
            throw Error(source_ + ": not a PyTorch checkpoint: the zip archive has no <name>/data.pkl record");
        return prefix;
    }

    bool has(const std::string& name) const { return zip_name_locate(zip_, name.c_str(), ZIP_FL_ENC_RAW) >= 0; }

    uint64_t sizeOf(const std::string& name) const { return stat(name).size; }

    // Reads a record into `dest`, which must hold exactly its uncompressed size.
    void read(const std::string& name, void* dest, uint64_t size) const
    {
        const zip_stat_t st = stat(name);
        if (st.size != size)
            throw Error(source_ + ": record '" + name + "' holds " + std::to_string(st.size) + " bytes, expected " +
                        std::to_string(size));
        zip_file_t* file = zip_fopen_index(zip_, st.index, 0);
        if (!file)
            throw Error(source_ + ": cannot open record '" + name + "': " + zip_strerror(zip_));
        uint64_t done = 0;
        auto* out = static_cast<uint8_t*>(dest);
        while (done < size) {
            const zip_uint64_t chunk = std::min<uint64_t>(size - done, uint64_t(1) << 30);
            const zip_int64_t got = zip_fread(file, out + done, chunk);
            if (got <= 0) {
                const std::string why = got < 0 ? zip_file_strerror(file) : "it ends early";
                zip_fclose(file);
                throw Error(source_ + ": cannot read record '" + name + "': " + why);
            }
            done += static_cast<uint64_t>(got);
        }
        // Closing is where libzip reports a CRC mismatch on the last chunk.
        if (const int rc = zip_fclose(file); rc != 0)
            throw Error(source_ + ": record '" + name + "' is corrupt: " + zipErrorText(rc));
    }

    std::vector<uint8_t> readAll(const std::string& name) const
    {
        const uint64_t size = sizeOf(name);
        if (size > std::numeric_limits<size_t>::max() / 2)
            throw Error(source_ + ": record '" + name + "' is too large");
        std::vector<uint8_t> bytes(size);
        read(name, bytes.data(), size);
        return bytes;
    }

private:
    zip_stat_t stat(const std::string& name) const
    {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat(zip_, name.c_str(), ZIP_FL_ENC_RAW, &st) != 0)
            throw Error(source_ + ": the archive has no record '" + name + "'");
        const zip_uint64_t need = ZIP_STAT_INDEX | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
        if ((st.valid & need) != need)
            throw Error(source_ + ": record '" + name + "' has an incomplete zip directory entry");
        if (st.comp_method == ZIP_CM_STORE) {
            if (st.comp_size != st.size)
                throw Error(source_ + ": record '" + name + "' is stored uncompressed but its sizes disagree");
        } else if (st.comp_method == ZIP_CM_DEFLATE) {
            if (st.size / kMaxDeflateRatio > st.comp_size)
                throw Error(source_ + ": record '" + name + "' claims " + std::to_string(st.size) + " bytes from " +
                            std::to_string(st.comp_size) + " compressed bytes, more than deflate can produce");
        } else {
            throw Error(source_ + ": record '" + name + "' uses zip compression method " +
                        std::to_string(st.comp_method) + "; PyTorch writes stored (uncompressed) records");
        }
        return st;
    }

    zip_t* zip_;
    std::string source_;
};

TensorMap readArchive(Archive& archive, const std::string& source)
{
    const std::string prefix = archive.findPrefix();

    const std::string byteorderName = prefix + "/byteorder";
    if (archive.has(byteorderName)) {
        const std::vector<uint8_t> bytes = archive.readAll(byteorderName);
        const std::string order(bytes.begin(), bytes.end());
        if (order == "big")
            throw Error(source + ": the checkpoint was written on a big-endian machine, which is not supported");
        if (order != "little")
            throw Error(source + ": unknown byte order '" + order.substr(0, 20) + "' in " + byteorderName);
    }

    const std::vector<uint8_t> pickle = archive.readAll(prefix + "/data.pkl");
    auto loadStorage = [&](const std::string& key, torch::ScalarType dtype, int64_t numel) {
        const std::string name = prefix + "/data/" + key;
        const uint64_t itemsize = c10::elementSize(dtype);
        const uint64_t stored = archive.sizeOf(name);
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(static_cast<uint64_t>(numel), itemsize, &bytes) || bytes != stored)
            throw Error(source + ": storage '" + key + "' should hold " + std::to_string(numel) + " elements of " +
                        std::string(c10::toString(dtype)) + " but its record has " + std::to_string(stored) +
                        " bytes");
        torch::Tensor storage = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
        archive.read(name, storage.data_ptr(), bytes);
        return storage;
    };
    try {
        return detail::unpickleStateDict(pickle.data(), pickle.size(), source, loadStorage);
    } catch (const c10::Error& e) {
        throw Error(source + ": " + e.what_without_backtrace());
    }
}

} // namespace

TensorMap loadTorchCheckpoint(const std::filesystem::path& path)
{
    const std::string source = path.string();
    {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw Error(source + ": cannot open: " + std::strerror(errno));
        uint8_t head[kHeadBytes] = {};
        in.read(reinterpret_cast<char*>(head), kHeadBytes);
        const size_t got = static_cast<size_t>(in.gcount());
        if (detail::looksLikeLegacyCheckpoint(head, got))
            return detail::loadLegacyCheckpoint(path);
        refuseTarFormat(head, got, source);
    }
    int code = 0;
    zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY, &code);
    if (!zip)
        throw Error(source + ": not a PyTorch checkpoint (cannot read it as a zip archive: " + zipErrorText(code) + ")");
    Archive archive(zip, source);
    return readArchive(archive, source);
}

TensorMap parseTorchCheckpoint(const uint8_t* data, size_t size, const std::string& sourceName)
{
    if (detail::looksLikeLegacyCheckpoint(data, size))
        return detail::parseLegacyCheckpoint(data, size, sourceName);
    refuseTarFormat(data, size, sourceName);
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(data, size, 0, &error);
    if (!src) {
        const std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw Error(sourceName + ": cannot read the buffer: " + why);
    }
    zip_t* zip = zip_open_from_source(src, ZIP_RDONLY, &error);
    if (!zip) {
        const std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        zip_source_free(src);
        throw Error(sourceName + ": not a PyTorch checkpoint (cannot read it as a zip archive: " + why + ")");
    }
    zip_error_fini(&error);
    Archive archive(zip, sourceName);
    return readArchive(archive, sourceName);
}

} // namespace pae::io
