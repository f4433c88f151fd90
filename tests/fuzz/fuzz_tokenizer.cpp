// CLIP's tokenizer on any bytes (invalid UTF-8, HTML entities, huge runs): ids within the
// vocabulary, at most the context, start and end tokens in place; decode of any ids never
// crashes. The vocabulary is the built-in SynthFace CLIP's (a real BPE vocabulary).
#include "core/text/clip_tokenizer.h"
#include "core/util/error.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const pae::text::ClipTokenizer tokenizer = pae::text::ClipTokenizer::fromFolder(PAE_FUZZ_CLIP_DIR);
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto ids = tokenizer.tokenize(text);
        if (ids.size() < 2 || ids.size() > 77 || ids.front() != tokenizer.startId() || ids.back() != tokenizer.endId())
            std::abort();
        for (int64_t id : ids)
            if (id < 0 || size_t(id) >= tokenizer.vocabSize())
                std::abort();
        tokenizer.decode(ids);
        // Arbitrary ids, two bytes each: out-of-range ones must be an error, not a read.
        std::vector<int64_t> raw;
        for (size_t i = 0; i + 1 < size && raw.size() < 64; i += 2)
            raw.push_back(int64_t(data[i]) << 8 | data[i + 1]);
        tokenizer.decode(raw);
    } catch (const pae::Error&) {
    }
    return 0;
}
