#pragma once
// Learns a CLIP-style byte-level BPE vocabulary (for the built-in SynthFace CLIP) and
// writes it in the Hugging Face layout that ClipTokenizer reads.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pae::text {

struct BpeVocabulary {
    std::vector<std::pair<std::string, std::string>> merges; // in rank order
    std::vector<std::string> tokens;                          // id order, special tokens last
};

// Words as the tokenizer's pre-tokenizer yields them (lowercase), with their counts.
// Merges are learned greedily by pair frequency (ties broken by the pair's text, so the
// result is deterministic) until every word is one token or maxMerges is reached.
BpeVocabulary learnBpe(const std::map<std::string, int64_t>& wordCounts, int maxMerges);

// vocab.json + merges.txt (with the "#version" header HF writes).
void writeClipVocabulary(const BpeVocabulary& vocabulary, const std::filesystem::path& dir);

// CLIP's reversible byte → printable unicode character map (as UTF-8 strings).
const std::vector<std::string>& byteToUnicode();

} // namespace pae::text
