// Warnings about bad input (a damaged JPEG, a duplicate prompt) are the expected outcome
// of most fuzz inputs; printed, they would drown libFuzzer's own output.
#include "core/util/log.h"

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    pae::log::setLevel(spdlog::level::off);
    return 0;
}
