// The batch manifest's line parser on any text: an item that can run (its request valid,
// its face source one of seed, latent, photo) or an error record naming the line and the
// field — never a crash, and never an exception out of parseBatchLine.
#include "core/edit/batch.h"
#include "core/util/error.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string line(reinterpret_cast<const char*>(data), size);
    const pae::BatchItem item = pae::parseBatchLine(line, 3, "/nonexistent/fuzz/manifest.jsonl");
    if (item.ok()) {
        if (item.id.empty())
            std::abort();
        pae::EditRequest request = item.request;
        request.source.numLatents = 1;
        request.source.styleDim = 1;
        request.source.values = {0.f};
        try {
            request.validate();
        } catch (const pae::UsageError&) {
            std::abort(); // a runnable item must hold a valid request
        }
    } else if (item.error.find("line 4") == std::string::npos || item.errorField.empty()) {
        std::abort(); // an error record names the line (1-based) and the field
    }
    return 0;
}
