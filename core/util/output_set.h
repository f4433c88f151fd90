#pragma once
// The files one command writes, committed together: every path is checked before the work
// starts (its folder exists and is writable, it is not a folder, no two outputs are the
// same file, --no-clobber), each file is written to a temporary beside it, and commit()
// renames them all into place. A command that fails or is cancelled before commit()
// leaves none of its outputs behind (the destructor removes the temporaries, and preview
// folders with the frames written into them).
#include <filesystem>
#include <string>
#include <vector>

namespace pae {

class OutputSet {
public:
    explicit OutputSet(bool noClobber = false);
    ~OutputSet();
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;

    // Checks `path` now and returns the temporary to write it to (same folder, same
    // extension). `option` names the option that gave the path, e.g. "--latent-out".
    // Throws pae::Error naming the path, or pae::UsageError when two outputs collide.
    std::filesystem::path add(const std::filesystem::path& path, const std::string& option);
    // A folder filled while the work runs (preview frames): checked now, created when
    // missing; record() each file written into it. Without commit(), the recorded files
    // go again, and the folder too when this set created it.
    std::filesystem::path addFolder(const std::filesystem::path& folder, const std::string& option);
    void record(const std::filesystem::path& fileInFolder);

    // Renames every temporary into place. When one rename fails, the files this set had
    // already moved and that did not exist before are removed again, then it throws.
    void commit();

    // Errors from the writers name the temporary they were given; this puts the target's
    // name back (for every set of this process, also after it was destroyed).
    static std::string withTargetNames(std::string message);

private:
    struct File {
        std::filesystem::path target;
        std::filesystem::path temporary;
        std::string option;
        bool existed = false;
    };
    struct Folder {
        std::filesystem::path path;
        bool created = false;
        std::vector<std::filesystem::path> written;
    };
    void checkDistinct(const std::filesystem::path& path, const std::string& option);

    bool m_noClobber;
    bool m_committed = false;
    std::vector<File> m_files;
    std::vector<Folder> m_folders;
    std::vector<std::pair<std::filesystem::path, std::string>> m_claimed; // canonical path, option
};

} // namespace pae
