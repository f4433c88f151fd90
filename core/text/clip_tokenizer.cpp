#include "core/text/clip_tokenizer.h"

#include "core/text/clip_text.h"
#include "core/util/error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <limits>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

namespace pae::text {
namespace {

const std::string kStartToken = "<|startoftext|>";
const std::string kEndToken = "<|endoftext|>";
const std::string kWordEnd = "</w>";
// A long-running session tokenizes a few thousand distinct words at most; the bound only
// keeps a pathological caller from growing the cache without end.
constexpr size_t kMaxCachedWords = 200000;

std::string readFile(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(path.string() + ": no such file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path.string() + ": cannot open for reading");
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad())
        throw Error(path.string() + ": read error");
    return buf.str();
}

// GPT-2/CLIP's reversible byte → printable character map: bytes that are printable Latin-1
// map to themselves, the others to U+0100 upwards, in byte order.
std::array<char32_t, 256> bytesToUnicode()
{
    std::array<char32_t, 256> map{};
    std::array<bool, 256> direct{};
    for (int b = '!'; b <= '~'; ++b)
        direct[b] = true;
    for (int b = 0xA1; b <= 0xAC; ++b)
        direct[b] = true;
    for (int b = 0xAE; b <= 0xFF; ++b)
        direct[b] = true;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b)
        map[b] = direct[b] ? static_cast<char32_t>(b) : next++;
    return map;
}

std::vector<std::string> splitUtf8Chars(const std::string& s)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        size_t n = 1;
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= 0xF0)
            n = 4;
        else if (b >= 0xE0)
            n = 3;
        else if (b >= 0xC0)
            n = 2;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string pcreMessage(int code)
{
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof buf);
    return reinterpret_cast<const char*>(buf);
}

struct CodeDeleter {
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDataDeleter {
    void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

} // namespace

struct ClipTokenizer::Impl {
    std::unordered_map<std::string, int64_t> encoder;
    std::unordered_map<int64_t, std::string> decoder;
    std::unordered_map<std::string, size_t> ranks; // key: first + ' ' + second
    std::array<std::string, 256> byteEncoder;      // UTF-8 of the mapped character
    std::unordered_map<char32_t, unsigned char> byteDecoder;
    std::unique_ptr<pcre2_code, CodeDeleter> pattern;
    int64_t startId = 0;
    int64_t endId = 0;
    std::filesystem::path vocabPath;

    mutable std::mutex cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int64_t>> cache;

    void loadVocab(const std::filesystem::path& path);
    void loadMerges(const std::filesystem::path& path);
    void compilePattern();
    std::vector<std::string> bpe(const std::string& token) const;
    std::vector<int64_t> wordIds(const std::string& token) const;
};

void ClipTokenizer::Impl::loadVocab(const std::filesystem::path& path)
{
    const std::string text = readFile(path);
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path.string() + ": not valid JSON (" + e.what() + ")");
    }
    if (!json.is_object())
        throw Error(path.string() + ": expected a JSON object mapping tokens to ids");
    for (const auto& [token, id] : json.items()) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0)
            throw Error(path.string() + ": the id of token \"" + token +
                        "\" is not a non-negative integer");
        const auto value = id.get<int64_t>();
        if (!decoder.emplace(value, token).second)
            throw Error(path.string() + ": id " + std::to_string(value) + " is given to both \"" +
                        decoder[value] + "\" and \"" + token + "\"");
        encoder.emplace(token, value);
    }
    for (const auto* special : {&kStartToken, &kEndToken}) {
        if (!encoder.count(*special))
            throw Error(path.string() + ": missing the special token " + *special);
    }
    startId = encoder.at(kStartToken);
    endId = encoder.at(kEndToken);
    vocabPath = path;
}

void ClipTokenizer::Impl::loadMerges(const std::filesystem::path& path)
{
    const std::string text = readFile(path);
    std::istringstream in(text);
    std::string line;
    size_t lineNo = 0;
    size_t rank = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        // HF files start with a "#version: 0.2" header; blank lines carry no merge.
        if (line.empty() || line.rfind("#version", 0) == 0)
            continue;
        const size_t space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
            line.find(' ', space + 1) != std::string::npos)
            throw Error(path.string() + " line " + std::to_string(lineNo) +
                        ": expected two symbols separated by one space, got \"" + line + "\"");
        // A repeated pair keeps its later rank, as dict(zip(merges, range(...))) does.
        ranks[line] = rank++;
    }
    if (ranks.empty())
        throw Error(path.string() + ": no merges");
}

void ClipTokenizer::Impl::compilePattern()
{
    const std::string source = detail::clipSplitPattern();
    int code = 0;
    PCRE2_SIZE offset = 0;
    pattern.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.c_str()), source.size(),
                                PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &offset, nullptr));
    if (!pattern)
        throw Error("CLIP split pattern does not compile at offset " + std::to_string(offset) + ": " +
                    pcreMessage(code));
    // JIT only makes matching faster; where the library has none, the interpreter gives the
    // same matches.
    pcre2_jit_compile(pattern.get(), PCRE2_JIT_COMPLETE);
}

std::vector<std::string> ClipTokenizer::Impl::bpe(const std::string& token) const
{
    std::vector<std::string> word = splitUtf8Chars(token);
    word.back() += kWordEnd;
    std::string key;
    while (word.size() > 1) {
        size_t best = std::numeric_limits<size_t>::max();
        size_t bestAt = 0;
        for (size_t i = 0; i + 1 < word.size(); ++i) {
            key.assign(word[i]).append(1, ' ').append(word[i + 1]);
            auto it = ranks.find(key);
            if (it != ranks.end() && it->second < best) {
                best = it->second;
                bestAt = i;
            }
        }
        if (best == std::numeric_limits<size_t>::max())
            break;
        const std::string first = word[bestAt];
        const std::string second = word[bestAt + 1];
        std::vector<std::string> merged;
        merged.reserve(word.size());
        for (size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
                merged.push_back(first + second);
                i += 2;
            } else {
                merged.push_back(word[i]);
                ++i;
            }
        }
        word = std::move(merged);
    }
    return word;
}

std::vector<int64_t> ClipTokenizer::Impl::wordIds(const std::string& token) const
{
    {
        std::lock_guard lock(cacheMutex);
        auto it = cache.find(token);
        if (it != cache.end())
            return it->second;
    }
    std::vector<int64_t> ids;
    if (token == kStartToken || token == kEndToken) {
        // The reference seeds its BPE cache with the two special tokens, so typed in the
        // text they become the special ids.
        ids.push_back(encoder.at(token));
    } else {
        for (const auto& symbol : bpe(token)) {
            auto it = encoder.find(symbol);
            if (it == encoder.end())
                throw Error(vocabPath.string() + ": no id for the BPE token \"" + symbol + "\"");
            ids.push_back(it->second);
        }
    }
    std::lock_guard lock(cacheMutex);
    if (cache.size() >= kMaxCachedWords)
        cache.clear();
    cache.emplace(token, ids);
    return ids;
}

ClipTokenizer::ClipTokenizer(const std::filesystem::path& vocabJson,
                             const std::filesystem::path& mergesTxt)
{
    auto impl = std::make_shared<Impl>();
    impl->loadVocab(vocabJson);
    impl->loadMerges(mergesTxt);
    const auto map = bytesToUnicode();
    for (int b = 0; b < 256; ++b) {
        impl->byteEncoder[b] = detail::encodeUtf8(std::u32string(1, map[b]));
        impl->byteDecoder[map[b]] = static_cast<unsigned char>(b);
    }
    impl->compilePattern();
    d = std::move(impl);
}

ClipTokenizer ClipTokenizer::fromFolder(const std::filesystem::path& dir)
{
    return ClipTokenizer(dir / "vocab.json", dir / "merges.txt");
}

ClipTokenizer::~ClipTokenizer() = default;
ClipTokenizer::ClipTokenizer(ClipTokenizer&&) noexcept = default;
ClipTokenizer& ClipTokenizer::operator=(ClipTokenizer&&) noexcept = default;
ClipTokenizer::ClipTokenizer(const ClipTokenizer&) = default;
ClipTokenizer& ClipTokenizer::operator=(const ClipTokenizer&) = default;

std::vector<int64_t> ClipTokenizer::encode(const std::string& text) const
{
    const std::string clean = detail::cleanText(text);
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
        pcre2_match_data_create_from_pattern(d->pattern.get(), nullptr));
    if (!match)
        throw Error("out of memory while tokenizing");
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(clean.data());
    std::vector<int64_t> ids;
    std::string token;
    PCRE2_SIZE offset = 0;
    while (offset < clean.size()) {
        // cleanText produced valid UTF-8, so PCRE2 need not check it again on every call.
        const int rc = pcre2_match(d->pattern.get(), subject, clean.size(), offset,
                                   PCRE2_NO_UTF_CHECK, match.get(), nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw Error("splitting the text for CLIP failed: " + pcreMessage(rc));
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match.get());
        token.clear();
        for (PCRE2_SIZE i = ov[0]; i < ov[1]; ++i)
            token += d->byteEncoder[static_cast<unsigned char>(clean[i])];
        if (!token.empty()) {
            const auto wordIds = d->wordIds(token);
            ids.insert(ids.end(), wordIds.begin(), wordIds.end());
        }
        offset = ov[1];
    }
    return ids;
}

std::vector<int64_t> ClipTokenizer::tokenize(const std::string& text, int contextLength) const
{
    if (contextLength < 2)
        throw Error("CLIP context length must hold the start and end tokens, got " +
                    std::to_string(contextLength));
    std::vector<int64_t> ids;
    ids.push_back(d->startId);
    const auto body = encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    ids.push_back(d->endId);
    if (ids.size() > static_cast<size_t>(contextLength)) {
        ids.resize(static_cast<size_t>(contextLength));
        ids.back() = d->endId;
    }
    return ids;
}

std::string ClipTokenizer::decode(const std::vector<int64_t>& ids) const
{
    std::string symbols;
    for (int64_t id : ids) {
        auto it = d->decoder.find(id);
        if (it == d->decoder.end())
            throw Error("token id " + std::to_string(id) + " is not in " + d->vocabPath.string());
        symbols += it->second;
    }
    std::string bytes;
    for (char32_t c : detail::decodeUtf8(symbols)) {
        auto it = d->byteDecoder.find(c);
        if (it == d->byteDecoder.end())
            throw Error(d->vocabPath.string() + ": token character U+" + [c] {
                char buf[16];
                std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(c));
                return std::string(buf);
            }() + " is not a byte symbol, cannot decode");
        bytes += static_cast<char>(it->second);
    }
    std::string text = detail::repairUtf8(bytes);
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, kWordEnd.size(), kWordEnd) == 0) {
            out += ' ';
            i += kWordEnd.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

int64_t ClipTokenizer::startId() const { return d->startId; }
int64_t ClipTokenizer::endId() const { return d->endId; }
size_t ClipTokenizer::vocabSize() const { return d->encoder.size(); }

} // namespace pae::text
