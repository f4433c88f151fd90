// Any bytes must end in an image within the pixel limit or a pae::Error: never a crash,
// hang, leak or an allocation beyond the limit. The header checks and the libjpeg pass are
// ours (instrumented); OpenCV's decoders run uninstrumented behind them, so ASan still
// sees what they do to memory we hand them.
#include "core/io/image.h"
#include "core/util/error.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const pae::ImageRGB image = pae::io::decodeImage(data, size, "fuzz.img");
        if (int64_t(image.width) * image.height > pae::io::kMaxImagePixels ||
            image.pixels.size() != size_t(image.width) * size_t(image.height) * 3)
            std::abort(); // the limit or the buffer contract was broken
    } catch (const pae::Error&) {
    }
    return 0;
}
