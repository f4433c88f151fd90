#include "core/pae/corpus.h"

#include "core/util/error.h"
#include "core/util/log.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace pae {
namespace fs = std::filesystem;

namespace {

// Returns the byte offset of the first invalid sequence, or npos. Rejects what the
// Unicode standard calls ill-formed: overlong forms, surrogates, code points past U+10FFFF.
size_t firstInvalidUtf8(const std::string& s)
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; // overlong
            else if (c == 0xED)
                hi = 0x9F; // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; // overlong
            else if (c == 0xF4)
                hi = 0x8F; // > U+10FFFF
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; ++k)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF)
                return i;
        i += len;
    }
    return std::string::npos;
}

std::string trim(const std::string& s)
{
    const char* ws = " \t\r\n\f\v";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos)
        return {};
    const size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

// CLIP's tokenizer lowercases and collapses whitespace, so "Happy" and "happy  " embed
// identically; two such lines would only weigh one direction twice in the PCA.
std::string dedupKey(const std::string& prompt)
{
    std::string key;
    bool space = false;
    for (char ch : prompt) {
        if (ch == ' ' || ch == '\t') {
            space = true;
            continue;
        }
        if (space && !key.empty())
            key += ' ';
        space = false;
        key += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    }
    return key;
}

size_t countOccurrences(const std::string& s, const std::string& what)
{
    size_t count = 0;
    for (size_t pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + what.size()))
        ++count;
    return count;
}

bool looksLikePath(const std::string& s)
{
    return s.find('/') != std::string::npos || (s.size() >= 4 && s.compare(s.size() - 4, 4, ".txt") == 0);
}

} // namespace

std::string fnv1a64Hex(const std::string& bytes)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    static const char* digits = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<size_t>(i)] = digits[h & 0xF];
        h >>= 4;
    }
    return out;
}

std::vector<std::string> Corpus::templatedPrompts() const
{
    const size_t at = templ.find("{}");
    std::vector<std::string> out;
    out.reserve(prompts.size());
    for (const auto& p : prompts) {
        if (at == std::string::npos)
            out.push_back(p);
        else
            out.push_back(templ.substr(0, at) + p + templ.substr(at + 2));
    }
    return out;
}

Corpus loadCorpus(const fs::path& file)
{
    const std::string where = file.string();
    std::error_code ec;
    if (fs::is_directory(file, ec))
        throw Error(where + ": is a folder, not a corpus file");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(where + ": cannot open the corpus: " + std::strerror(errno));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseCorpus(buffer.str(), file);
}

Corpus parseCorpus(std::string text, const fs::path& file)
{
    const std::string where = file.string();
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0)
        text.erase(0, 3); // a BOM that some editors write

    Corpus corpus;
    corpus.name = file.stem().string();
    corpus.file = file;
    std::map<std::string, int> keyLines; // header key -> its line
    std::map<std::string, int> seen;     // dedup key -> line of first occurrence

    std::istringstream lines(text);
    std::string raw;
    int lineNo = 0;
    while (std::getline(lines, raw)) {
        ++lineNo;
        const std::string loc = where + ":" + std::to_string(lineNo);
        if (const size_t bad = firstInvalidUtf8(raw); bad != std::string::npos) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(raw[bad]));
            throw Error(loc + ": invalid UTF-8 (byte " + hex + " at column " + std::to_string(bad + 1) +
                        "); save the file as UTF-8");
        }
        const std::string line = trim(raw);
        if (line.empty())
            continue;
        if (line[0] == '#') {
            const std::string body = trim(line.substr(1));
            const size_t colon = body.find(':');
            const std::string key = colon == std::string::npos ? std::string() : trim(body.substr(0, colon));
            const std::string value = colon == std::string::npos ? std::string() : trim(body.substr(colon + 1));
            if (key != "template" && key != "l2" && key != "layers" && key != "space" && key != "target")
                continue; // a comment
            if (const auto it = keyLines.find(key); it != keyLines.end())
                throw Error(loc + ": a second " + key + " line (the first is on line " + std::to_string(it->second) +
                            ")");
            keyLines.emplace(key, lineNo);
            if (key == "template") {
                const size_t holes = countOccurrences(value, "{}");
                if (holes != 1)
                    throw Error(loc + ": the template '" + value + "' must contain exactly one '{}' (found " +
                                std::to_string(holes) + ")");
                corpus.templ = value;
            } else if (key == "l2") {
                // from_chars, not strtof: a Qt program runs in the user's locale, where "0.02" may not parse.
                float v = -1.f;
                const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
                if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v) || v < 0 || v > 1e6f)
                    throw Error(loc + ": l2: '" + value + "' is not a weight from 0 to 1e6");
                corpus.defaults.l2Weight = v;
            } else if (key == "layers") {
                if (value != "all" &&
                    (value.empty() || value.find_first_not_of("0123456789-, \t") != std::string::npos))
                    throw Error(loc + ": layers: '" + value + "' is not a list of W+ rows (as 4-7, 0-3,8 or 8-)");
                corpus.defaults.layers = value;
                corpus.defaults.layersLine = lineNo;
            } else if (key == "target") {
                try {
                    corpus.defaults.target = parseTargetKind(value);
                } catch (const std::exception& e) {
                    throw Error(loc + ": " + e.what()); // "target: 'x' is not one of …"
                }
            } else {
                if (value != "w" && value != "w+")
                    throw Error(loc + ": space: '" + value + "' is not w+ or w");
                corpus.defaults.sharedOffset = value == "w";
            }
            continue;
        }
        const std::string k = dedupKey(line);
        if (auto it = seen.find(k); it != seen.end()) {
            log::warn("{}: duplicate prompt '{}' (first on line {}), ignored", loc, line, it->second);
            continue;
        }
        seen.emplace(k, lineNo);
        if (corpus.prompts.size() == kMaxCorpusPrompts)
            throw Error(loc + ": more than " + std::to_string(kMaxCorpusPrompts) +
                        " prompts; every one is embedded by CLIP, so a corpus stays below that");
        corpus.prompts.push_back(line);
    }
    if (corpus.prompts.empty())
        throw Error(where + ": the corpus has no prompts");

    // The separators cannot occur inside a line, so distinct corpora never hash the same bytes.
    std::string content = "pae-corpus/1\n" + corpus.templ + "\n";
    for (const auto& p : corpus.prompts)
        content += p + "\n";
    corpus.contentHash = fnv1a64Hex(content);
    return corpus;
}

std::vector<std::string> listCorpora(const fs::path& root)
{
    std::vector<std::string> names;
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        return names;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        if (entry.path().extension() == ".txt" && entry.is_regular_file(ec))
            names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

Corpus findCorpus(const std::string& nameOrPath, const fs::path& corpusRoot)
{
    if (nameOrPath.empty())
        throw UsageError("corpus: no corpus given");
    if (looksLikePath(nameOrPath))
        return loadCorpus(fs::path(nameOrPath));
    const fs::path file = corpusRoot / (nameOrPath + ".txt");
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        std::string known;
        for (const auto& n : listCorpora(corpusRoot))
            known += (known.empty() ? "" : ", ") + n;
        throw Error("corpus: no corpus named '" + nameOrPath + "' in " + corpusRoot.string() +
                    (known.empty() ? " (it has none)" : " (known: " + known + ")"));
    }
    return loadCorpus(file);
}

} // namespace pae
