#include "core/text/bpe_trainer.h"

#include "core/util/error.h"
#include "core/util/paths.h"

#include <nlohmann/json.hpp>

#include <set>

namespace pae::text {
namespace {

std::string utf8(uint32_t cp)
{
    std::string out;
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
    return out;
}

} // namespace

const std::vector<std::string>& byteToUnicode()
{
    // Printable bytes map to themselves; the others to 256, 257, … in byte order (CLIP's
    // bytes_to_unicode), so every byte sequence has a visible, reversible spelling.
    static const std::vector<std::string> table = [] {
        std::vector<std::string> t(256);
        auto printable = [](int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
        uint32_t next = 256;
        for (int b = 0; b < 256; ++b)
            t[size_t(b)] = utf8(printable(b) ? uint32_t(b) : next++);
        return t;
    }();
    return table;
}

BpeVocabulary learnBpe(const std::map<std::string, int64_t>& wordCounts, int maxMerges)
{
    const auto& b2u = byteToUnicode();
    struct Word {
        std::vector<std::string> symbols;
        int64_t count;
    };
    std::vector<Word> words;
    for (const auto& [word, count] : wordCounts) {
        if (word.empty() || count <= 0)
            continue;
        Word w{{}, count};
        for (unsigned char c : word)
            w.symbols.push_back(b2u[c]);
        w.symbols.back() += "</w>";
        words.push_back(std::move(w));
    }
    BpeVocabulary vocab;
    for (int m = 0; m < maxMerges; ++m) {
        std::map<std::pair<std::string, std::string>, int64_t> pairs;
        for (const auto& w : words)
            for (size_t i = 0; i + 1 < w.symbols.size(); ++i)
                pairs[{w.symbols[i], w.symbols[i + 1]}] += w.count;
        if (pairs.empty())
            break;
        auto best = pairs.begin();
        for (auto it = pairs.begin(); it != pairs.end(); ++it)
            if (it->second > best->second)
                best = it; // std::map order breaks ties by the pair's text
        const auto pair = best->first;
        vocab.merges.push_back(pair);
        for (auto& w : words) {
            std::vector<std::string> merged;
            for (size_t i = 0; i < w.symbols.size(); ++i) {
                if (i + 1 < w.symbols.size() && w.symbols[i] == pair.first && w.symbols[i + 1] == pair.second) {
                    merged.push_back(pair.first + pair.second);
                    ++i;
                } else {
                    merged.push_back(w.symbols[i]);
                }
            }
            w.symbols = std::move(merged);
        }
    }
    for (const auto& s : b2u)
        vocab.tokens.push_back(s);
    for (const auto& s : b2u)
        vocab.tokens.push_back(s + "</w>");
    // Two merges can spell the same token ("ab"+"c", "a"+"bc"); it gets one id.
    std::set<std::string> seen(vocab.tokens.begin(), vocab.tokens.end());
    for (const auto& [a, b] : vocab.merges)
        if (seen.insert(a + b).second)
            vocab.tokens.push_back(a + b);
    vocab.tokens.push_back("<|startoftext|>");
    vocab.tokens.push_back("<|endoftext|>");
    return vocab;
}

void writeClipVocabulary(const BpeVocabulary& vocabulary, const std::filesystem::path& dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw Error(dir.string() + ": cannot create the folder: " + ec.message());
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    for (size_t id = 0; id < vocabulary.tokens.size(); ++id) {
        if (vocab.contains(vocabulary.tokens[id]))
            throw Error("BPE vocabulary: token '" + vocabulary.tokens[id] + "' appears twice");
        vocab[vocabulary.tokens[id]] = id;
    }
    const std::string vocabText = vocab.dump();
    writeFileAtomically(dir / "vocab.json", vocabText.data(), vocabText.size());
    std::string merges = "#version: 0.2\n";
    for (const auto& [a, b] : vocabulary.merges)
        merges += a + " " + b + "\n";
    writeFileAtomically(dir / "merges.txt", merges.data(), merges.size());
}

} // namespace pae::text
