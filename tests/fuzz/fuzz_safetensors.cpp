// Any input must end in a TensorMap or a pae::Error: never a crash, hang, leak or
// out-of-bounds read. c10::Error counts as handled too (it is caught at every boundary).
#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <c10/util/Exception.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        pae::io::parseSafetensors(data, size, "fuzz.safetensors");
    } catch (const pae::Error&) {
    } catch (const c10::Error&) {
    }
    return 0;
}
