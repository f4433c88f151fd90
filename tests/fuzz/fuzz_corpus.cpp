// The corpus parser on any text: a Corpus with at least one prompt and a template holding
// exactly one "{}", or a pae::Error naming the file and line.
#include "core/pae/corpus.h"
#include "core/util/error.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const pae::Corpus corpus =
            pae::parseCorpus(std::string(reinterpret_cast<const char*>(data), size), "fuzz.txt");
        if (corpus.prompts.empty() || corpus.templ.find("{}") == std::string::npos ||
            corpus.templatedPrompts().size() != corpus.prompts.size() || corpus.contentHash.size() != 16)
            std::abort();
    } catch (const pae::Error&) {
    }
    return 0;
}
