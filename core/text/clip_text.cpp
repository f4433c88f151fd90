#include "core/text/clip_text.h"

#include "core/util/error.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "core/text/clip_text_tables.inc"

namespace pae::text::detail {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

template <size_t N>
bool inRanges(const tables::Range (&ranges)[N], char32_t c)
{
    auto it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                               [](char32_t v, const tables::Range& r) { return v < r.first; });
    return it != std::begin(ranges) && c <= std::prev(it)->last;
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 with `consumed` set to the
// maximal subpart to replace (at least one byte). Follows the Unicode recommendation
// that CPython's decoder implements.
size_t utf8Sequence(const std::string& s, size_t i, char32_t& cp, size_t& consumed)
{
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        cp = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0;
        if (b0 == 0xED) // surrogates are not UTF-8
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        cp = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90;
        if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        consumed = 1;
        return 0;
    }
    size_t k = 1;
    for (; k <= need; ++k) {
        if (i + k >= s.size()) {
            consumed = k;
            return 0;
        }
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < lo || b > hi) {
            consumed = k;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
    }
    return need + 1;
}

void appendUtf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

bool isAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }

bool isAsciiHexDigit(char32_t c)
{
    return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hexValue(char32_t c)
{
    if (isAsciiDigit(c))
        return static_cast<int>(c - '0');
    return static_cast<int>((c | 0x20) - 'a' + 10);
}

const tables::Entity* findEntity(const std::string& name)
{
    auto it = std::lower_bound(std::begin(tables::kHtml5Entities), std::end(tables::kHtml5Entities),
                               name, [](const tables::Entity& e, const std::string& n) {
                                   return std::strcmp(e.name, n.c_str()) < 0;
                               });
    if (it != std::end(tables::kHtml5Entities) && name == it->name)
        return &*it;
    return nullptr;
}

void appendEntity(std::u32string& out, const tables::Entity& e)
{
    out += decodeUtf8(e.utf8);
}

// html.unescape's _replace_charref for a numeric reference; the number saturates, since
// everything above U+10FFFF gets the same answer.
void appendNumericRef(std::u32string& out, uint32_t num)
{
    for (const auto& r : tables::kInvalidCharRefs) {
        if (r.number == num) {
            out += r.replacement;
            return;
        }
    }
    if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
        out += kReplacement;
        return;
    }
    if (inRanges(tables::kInvalidCodepoints, num))
        return;
    out += static_cast<char32_t>(num);
}

// Python's pattern: &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
// Returns the index after the reference, or `amp` when nothing matches there.
size_t unescapeAt(const std::u32string& s, size_t amp, std::u32string& out)
{
    size_t i = amp + 1;
    if (i < s.size() && s[i] == '#') {
        size_t j = i + 1;
        const bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
        if (hex)
            ++j;
        const size_t digitsStart = j;
        uint32_t num = 0;
        while (j < s.size() && (hex ? isAsciiHexDigit(s[j]) : isAsciiDigit(s[j]))) {
            const uint32_t digit = static_cast<uint32_t>(hexValue(s[j]));
            num = num > 0x10FFFF ? num : num * (hex ? 16 : 10) + digit;
            ++j;
        }
        if (j == digitsStart)
            return amp;
        if (j < s.size() && s[j] == ';')
            ++j;
        appendNumericRef(out, num);
        return j;
    }
    size_t j = i;
    while (j < s.size() && j - i < 32) {
        const char32_t c = s[j];
        if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' ||
            c == ';')
            break;
        ++j;
    }
    if (j == i)
        return amp;
    if (j < s.size() && s[j] == ';')
        ++j;
    const std::u32string name = s.substr(i, j - i);
    // Entity names are ASCII; a name with anything else can only match by its ASCII prefix.
    std::string ascii;
    for (char32_t c : name) {
        if (c >= 0x80)
            break;
        ascii += static_cast<char>(c);
    }
    if (ascii.size() == name.size()) {
        if (const auto* e = findEntity(ascii)) {
            appendEntity(out, *e);
            return j;
        }
    }
    // Longest prefix of at least two characters: only the legacy names without ';' can match.
    for (size_t x = std::min(name.size() - 1, ascii.size()); x >= 2; --x) {
        if (const auto* e = findEntity(ascii.substr(0, x))) {
            appendEntity(out, *e);
            out += name.substr(x);
            return j;
        }
    }
    out += '&';
    out += name;
    return j;
}

std::u32string strip(const std::u32string& s)
{
    size_t b = 0, e = s.size();
    while (b < e && inRanges(tables::kStripSpace, s[b]))
        ++b;
    while (e > b && inRanges(tables::kStripSpace, s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

std::u32string collapseWhitespace(const std::u32string& s)
{
    std::u32string out;
    out.reserve(s.size());
    bool inRun = false;
    for (char32_t c : s) {
        if (inRanges(tables::kRegexSpace, c)) {
            if (!inRun)
                out += U' ';
            inRun = true;
        } else {
            out += c;
            inRun = false;
        }
    }
    return out;
}

// CPython's handle_capital_sigma: \p{cased}\p{case-ignorable}* U+03A3 !(\p{case-ignorable}*\p{cased})
char32_t lowerSigma(const std::u32string& s, size_t i)
{
    size_t j = i;
    while (j > 0 && inRanges(tables::kCaseIgnorable, s[j - 1]))
        --j;
    if (j == 0 || !inRanges(tables::kCased, s[j - 1]))
        return 0x3C3;
    size_t k = i + 1;
    while (k < s.size() && inRanges(tables::kCaseIgnorable, s[k]))
        ++k;
    return (k == s.size() || !inRanges(tables::kCased, s[k])) ? 0x3C2 : 0x3C3;
}

} // namespace

std::u32string decodeUtf8(const std::string& bytes)
{
    std::u32string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        char32_t cp = 0;
        size_t consumed = 0;
        const size_t n = utf8Sequence(bytes, i, cp, consumed);
        if (n == 0)
            throw Error("text is not valid UTF-8 (bad byte sequence at byte " + std::to_string(i) + ")");
        out += cp;
        i += n;
    }
    return out;
}

std::string encodeUtf8(const std::u32string& text)
{
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text)
        appendUtf8(out, c);
    return out;
}

std::string repairUtf8(const std::string& bytes)
{
    std::string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        char32_t cp = 0;
        size_t consumed = 0;
        const size_t n = utf8Sequence(bytes, i, cp, consumed);
        if (n == 0) {
            appendUtf8(out, kReplacement);
            i += consumed;
        } else {
            out.append(bytes, i, n);
            i += n;
        }
    }
    return out;
}

std::u32string htmlUnescape(const std::u32string& text)
{
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        if (text[i] != '&') {
            out += text[i++];
            continue;
        }
        const size_t next = unescapeAt(text, i, out);
        if (next == i)
            out += text[i++];
        else
            i = next;
    }
    return out;
}

std::u32string pythonLower(const std::u32string& text)
{
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c == 0x3A3) {
            out += lowerSigma(text, i);
            continue;
        }
        auto it = std::lower_bound(std::begin(tables::kLower), std::end(tables::kLower), c,
                                   [](const tables::Lower& l, char32_t v) { return l.from < v; });
        if (it == std::end(tables::kLower) || it->from != c) {
            out += c;
            continue;
        }
        out += it->to[0];
        if (it->to[1] != 0)
            out += it->to[1];
    }
    return out;
}

std::string cleanText(const std::string& utf8)
{
    std::u32string s = decodeUtf8(utf8);
    s = strip(htmlUnescape(htmlUnescape(s)));
    s = strip(collapseWhitespace(s));
    return encodeUtf8(pythonLower(s));
}

std::string clipSplitPattern()
{
    // The reference compiles its pattern with IGNORECASE. That matters for the literals
    // (U+017F long s matches the 's' of "'s" and "<|startoftext|>"), but the classes must stay
    // case-sensitive: PCRE2 would let U+0345 match a class holding iota. The regex module
    // has its own quirk there: under IGNORECASE, U+0345 is in no class at all, so findall
    // skips it; hence its place in the last class.
    const std::string letters = tables::kLetterClass;
    const std::string numbers = tables::kNumberClass;
    const std::string spaces = tables::kSpaceClass;
    return R"(<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|(?-i:[)" + letters + "]+|[" +
           numbers + "]|[^" + spaces + letters + numbers + R"(\x{345}]+))";
}

} // namespace pae::text::detail
