#include "core/util/torch_errors.h"

#include "core/util/error.h"

#include <c10/util/Exception.h>

#include <new>

namespace pae {

void rethrowForUser(const std::string& task)
{
    try {
        throw;
    } catch (const c10::Error& e) {
        std::string text = e.what_without_backtrace();
        const size_t newline = text.find('\n');
        if (newline != std::string::npos)
            text.resize(newline);
        if (text.size() > 300)
            text = text.substr(0, 297) + "...";
        throw Error(task + " failed inside LibTorch: " + text);
    } catch (const std::bad_alloc&) {
        throw Error(task + " ran out of memory");
    }
}

} // namespace pae
