// Stage 1: the tiny CLIP's BPE vocabulary, learned from every word a caption or a corpus
// prompt can hold, with enough merges that each of them is a single token.
#include "core/pae/corpus.h"
#include "core/synthface/captions.h"
#include "core/synthface/train.h"
#include "core/text/clip_tokenizer.h"
#include "core/util/error.h"

#include <cctype>

namespace pae::synthface {
namespace {

namespace fs = std::filesystem;

// Runs of letters and single digits, lowercased, as CLIP's pre-tokenizer splits ASCII
// text; punctuation is a single byte, which the base vocabulary already holds.
void addWords(const std::string& text, std::map<std::string, int64_t>& counts)
{
    std::string word;
    auto flush = [&] {
        if (!word.empty())
            ++counts[word];
        word.clear();
    };
    for (unsigned char ch : text) {
        if (std::isalpha(ch)) {
            word += char(std::tolower(ch));
        } else {
            flush();
            if (std::isdigit(ch))
                ++counts[std::string(1, char(ch))];
        }
    }
    flush();
}

} // namespace

std::map<std::string, int64_t> synthfaceWordCounts(const fs::path& corpusRoot)
{
    std::map<std::string, int64_t> counts;
    for (const std::string& word : captionVocabulary())
        addWords(word, counts);
    const auto names = listCorpora(corpusRoot);
    if (names.empty())
        throw Error(corpusRoot.string() + ": no corpora (*.txt) to learn the vocabulary from");
    for (const std::string& name : names)
        for (const std::string& prompt : loadCorpus(corpusRoot / (name + ".txt")).templatedPrompts())
            addWords(prompt, counts);
    return counts;
}

int64_t trainVocabulary(const fs::path& corpusRoot, const fs::path& clipDir, const TrainLog& log)
{
    const auto counts = synthfaceWordCounts(corpusRoot);
    int letters = 0;
    for (const auto& item : counts)
        letters += int(item.first.size());
    // A word of n bytes needs at most n merges (n − 1 plus none for "</w>", which rides on
    // the last byte); the total bounds what learnBpe can use.
    const text::BpeVocabulary vocabulary = text::learnBpe(counts, letters);
    text::writeClipVocabulary(vocabulary, clipDir);

    const auto tokenizer = text::ClipTokenizer::fromFolder(clipDir);
    for (const auto& item : counts) {
        const auto ids = tokenizer.encode(item.first);
        if (ids.size() != 1)
            throw Error("vocabulary: the word '" + item.first + "' is " + std::to_string(ids.size()) +
                        " tokens after learning; every word must be one");
    }
    if (tokenizer.endId() != int64_t(tokenizer.vocabSize()) - 1)
        throw Error("vocabulary: the end-of-text token must have the highest id (CLIP pools there)");
    log("vocabulary: " + std::to_string(counts.size()) + " words, " + std::to_string(vocabulary.merges.size()) +
        " merges, " + std::to_string(tokenizer.vocabSize()) + " tokens");
    return int64_t(tokenizer.vocabSize());
}

} // namespace pae::synthface
