// Inputs that look like a zip ("PK") or a legacy checkpoint (its first pickle: PROTO 2,
// LONG1 of 10 bytes, the magic number) go through the whole checkpoint reader; anything
// else is fed straight to the pickle VM, because a mutated zip mostly fails its CRC
// checks before the pickle is ever reached.
#include "core/io/restricted_pickle.h"
#include "core/io/torch_checkpoint.h"
#include "core/util/error.h"

#include <c10/util/Exception.h>
#include <torch/torch.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const bool zip = size >= 2 && data[0] == 'P' && data[1] == 'K';
        const bool legacy = size >= 4 && data[0] == 0x80 && data[1] == 0x02 && data[2] == 0x8a && data[3] == 0x0a;
        if (zip || legacy) {
            pae::io::parseTorchCheckpoint(data, size, "fuzz.pt");
        } else {
            auto storage = [](const std::string& key, torch::ScalarType dtype, int64_t numel) {
                // A real storage's size is bounded by its zip record; bound the fake one alike.
                if (numel > (int64_t(1) << 20))
                    throw pae::Error("fuzz.pt: storage '" + key + "' is larger than the fuzzer serves");
                return torch::zeros({numel}, torch::TensorOptions().dtype(dtype));
            };
            pae::io::detail::unpickleStateDict(data, size, "fuzz.pt", storage);
        }
    } catch (const pae::Error&) {
    } catch (const c10::Error&) {
    }
    return 0;
}
