#include "core/io/mapped_file.h"

#include "core/util/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pae::io {

MappedFile::MappedFile(const std::filesystem::path& path)
{
    const std::string source = path.string();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(source + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw Error(source + ": cannot stat: " + why);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(source + ": not a regular file");
    }
    const size_t size = static_cast<size_t>(st.st_size);
    if (size > 0) {
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        const int mapErrno = errno;
        ::close(fd);
        if (map == MAP_FAILED)
            throw Error(source + ": cannot map into memory: " + std::strerror(mapErrno));
        m_data = static_cast<const uint8_t*>(map);
        m_size = size;
    } else {
        ::close(fd);
    }
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<uint8_t*>(m_data), m_size);
}

} // namespace pae::io
