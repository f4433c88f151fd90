#include "core/util/paths.h"

#include "core/util/error.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>

namespace pae {
namespace fs = std::filesystem;

namespace {

fs::path executableDir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

} // namespace

fs::path dataDir()
{
    if (const char* env = std::getenv("PAE_DATA_DIR"); env && *env)
        return fs::path(env);
    const fs::path installed = executableDir() / ".." / "share" / "pae-studio";
    std::error_code ec;
    if (fs::is_directory(installed / "prompts", ec))
        return fs::weakly_canonical(installed, ec);
    return fs::path(PAE_SOURCE_DIR);
}

fs::path promptsDir() { return dataDir() / "prompts"; }

fs::path builtinModelsDir()
{
    const fs::path root = dataDir();
    std::error_code ec;
    if (fs::is_directory(root / "resources" / "models" / "synthface", ec))
        return root / "resources" / "models" / "synthface";
    return root / "models" / "synthface";
}

fs::path cacheDir()
{
    fs::path base;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
        base = fs::path(home) / ".cache";
    else
        base = fs::temp_directory_path();
    const fs::path dir = base / "pae-studio";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error(dir.string() + ": cannot create the cache folder: " + ec.message());
    return dir;
}

void writeFileAtomically(const fs::path& path, const void* data, size_t size)
{
    std::random_device rd;
    const fs::path tmp = path.parent_path() /
                         ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                          std::to_string(rd()));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(path.string() + ": cannot write: " + (errno ? std::strerror(errno) : "unknown error"));
        errno = 0;
        out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
        out.flush();
        if (!out) {
            const int error = errno;
            std::error_code ec;
            fs::remove(tmp, ec);
            throw Error(path.string() + ": write failed: " + (error ? std::strerror(error) : "disk full?"));
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        const std::string reason = ec.message(); // before remove() overwrites ec ("Success")
        fs::remove(tmp, ec);
        throw Error(path.string() + ": cannot move the finished file into place: " + reason);
    }
}

} // namespace pae
