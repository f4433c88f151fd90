#pragma once
// CLIP's byte-level BPE tokenizer, read from a Hugging Face folder's vocab.json and
// merges.txt. Gives exactly the ids of the reference tokenizer: text cleaned (HTML
// entities unescaped, whitespace collapsed), lowercased, split with CLIP's pattern
// (contractions, Unicode letters, single numbers, other runs), bytes mapped to unicode,
// BPE with "</w>" word ends, start and end tokens, truncated to the context keeping the
// end token.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pae::text {

class ClipTokenizer {
public:
    ClipTokenizer(const std::filesystem::path& vocabJson, const std::filesystem::path& mergesTxt);
    static ClipTokenizer fromFolder(const std::filesystem::path& dir);
    ~ClipTokenizer();
    ClipTokenizer(ClipTokenizer&&) noexcept;
    ClipTokenizer& operator=(ClipTokenizer&&) noexcept;
    ClipTokenizer(const ClipTokenizer&);
    ClipTokenizer& operator=(const ClipTokenizer&);

    // BPE ids of the text, without start and end tokens.
    std::vector<int64_t> encode(const std::string& text) const;
    // Start token, ids, end token; at most contextLength ids (the end token is kept).
    std::vector<int64_t> tokenize(const std::string& text, int contextLength = 77) const;
    std::string decode(const std::vector<int64_t>& ids) const;

    int64_t startId() const;
    int64_t endId() const;
    size_t vocabSize() const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d; // immutable once built, so copies share it
};

} // namespace pae::text
