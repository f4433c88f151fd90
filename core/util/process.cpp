#include "core/util/process.h"

#include <unistd.h>

#include <cstdlib>

namespace pae {

void ensurePassiveOpenMpWait(char** argv)
{
    if (std::getenv("OMP_WAIT_POLICY"))
        return;
    ::setenv("OMP_WAIT_POLICY", "passive", 1);
    ::execv("/proc/self/exe", argv);
    // execv returned: the program keeps running with libgomp's default policy.
}

} // namespace pae
