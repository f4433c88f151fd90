#include "core/util/output_set.h"

#include "core/util/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>

namespace pae {
namespace fs = std::filesystem;

namespace {

fs::path folderOf(const fs::path& path)
{
    return path.parent_path().empty() ? fs::path(".") : path.parent_path();
}

std::mutex g_namesMutex;
std::vector<std::pair<std::string, std::string>> g_names; // temporary, target

// errno's text, never "Success": callers only come here after a failed call.
std::string reason(int error)
{
    return error ? std::strerror(error) : "unknown error";
}

void checkWritableFolder(const fs::path& folder, const std::string& subject, const std::string& option)
{
    std::error_code ec;
    if (!fs::exists(folder, ec))
        throw Error(subject + ": the folder " + folder.string() + " does not exist (" + option + ")");
    if (!fs::is_directory(folder, ec))
        throw Error(subject + ": " + folder.string() + " is not a folder (" + option + ")");
    // A file made and removed again: access() would let root pass on a read-only mount.
    std::random_device rd;
    const fs::path probe = folder / (".pae-probe-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        throw Error(subject + ": cannot write into the folder " + folder.string() + ": " + reason(errno) + " (" +
                    option + ")");
    ::close(fd);
    ::unlink(probe.c_str());
}

} // namespace

OutputSet::OutputSet(bool noClobber) : m_noClobber(noClobber) {}

OutputSet::~OutputSet()
{
    std::error_code ec;
    for (const File& f : m_files)
        fs::remove(f.temporary, ec);
    if (m_committed)
        return;
    for (const Folder& folder : m_folders) {
        for (const fs::path& file : folder.written)
            fs::remove(file, ec);
        if (folder.created)
            fs::remove(folder.path, ec); // only when empty: never what someone else put there
    }
}

void OutputSet::checkDistinct(const fs::path& path, const std::string& option)
{
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(path, ec), ec);
    if (ec)
        canonical = fs::absolute(path).lexically_normal();
    for (const auto& [other, otherOption] : m_claimed)
        if (other == canonical)
            throw UsageError(option + " " + path.string() + ": the same file as " + otherOption +
                             "; give each output its own path");
    m_claimed.emplace_back(canonical, option);
}

fs::path OutputSet::add(const fs::path& path, const std::string& option)
{
    if (path.empty())
        throw UsageError(option + ": the path is empty");
    const std::string name = path.string();
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status))
        throw Error(name + ": is a folder; " + option + " needs a file name");
    if (fs::exists(status) && !fs::is_regular_file(status))
        throw Error(name + ": is not a regular file; " + option + " needs a file name");
    if (path.filename().empty() || path.filename() == "." || path.filename() == "..")
        throw Error(name + ": names a folder; " + option + " needs a file name");
    checkWritableFolder(folderOf(path), name, option);
    const bool existed = fs::exists(status);
    if (existed && m_noClobber)
        throw Error(name + ": exists, and --no-clobber forbids replacing it (" + option + ")");
    checkDistinct(path, option);
    std::random_device rd;
    // The file name stays last, so the extension (which picks the format) is kept.
    const fs::path temporary = folderOf(path) / (".pae-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) +
                                                 "-" + path.filename().string());
    m_files.push_back({path, temporary, option, existed});
    {
        const std::lock_guard<std::mutex> lock(g_namesMutex);
        g_names.emplace_back(temporary.string(), path.string());
    }
    return temporary;
}

fs::path OutputSet::addFolder(const fs::path& folder, const std::string& option)
{
    if (folder.empty())
        throw UsageError(option + ": the path is empty");
    std::error_code ec;
    const fs::file_status status = fs::status(folder, ec);
    bool created = false;
    if (fs::exists(status)) {
        if (!fs::is_directory(status))
            throw Error(folder.string() + ": is not a folder (" + option + ")");
        checkWritableFolder(folder, folder.string(), option);
    } else {
        checkWritableFolder(folderOf(folder.lexically_normal()), folder.string(), option);
        if (!fs::create_directory(folder, ec) || ec)
            throw Error(folder.string() + ": cannot create the folder: " + ec.message() + " (" + option + ")");
        created = true;
    }
    checkDistinct(folder, option);
    m_folders.push_back({folder, created, {}});
    return folder;
}

void OutputSet::record(const fs::path& fileInFolder)
{
    for (Folder& folder : m_folders)
        if (fileInFolder.parent_path() == folder.path || folderOf(fileInFolder) == folder.path) {
            folder.written.push_back(fileInFolder);
            return;
        }
    throw Error(fileInFolder.string() + ": not inside a folder of this command's outputs");
}

std::string OutputSet::withTargetNames(std::string message)
{
    const std::lock_guard<std::mutex> lock(g_namesMutex);
    for (const auto& [temporary, target] : g_names)
        for (size_t at = message.find(temporary); at != std::string::npos;
             at = message.find(temporary, at + target.size()))
            message.replace(at, temporary.size(), target);
    return message;
}

void OutputSet::commit()
{
    for (const File& f : m_files) {
        std::error_code ec;
        if (!fs::exists(f.temporary, ec))
            throw Error(f.target.string() + ": was never written (" + f.option + ")");
    }
    std::vector<const File*> moved;
    for (const File& f : m_files) {
        std::error_code ec;
        fs::rename(f.temporary, f.target, ec);
        if (ec) {
            const std::string message =
                f.target.string() + ": cannot move the finished file into place: " + ec.message();
            for (const File* done : moved)
                if (!done->existed)
                    fs::remove(done->target, ec);
            throw Error(message);
        }
        moved.push_back(&f);
    }
    m_committed = true;
}

} // namespace pae
