#pragma once
// Text handling that CLIP's tokenizer does in Python before BPE, reproduced exactly:
// html.unescape, str.strip, the regex module's \s+ collapse, str.lower, and the split
// pattern. Internal to core/text; the Unicode data comes from clip_text_tables.inc.
#include <string>

namespace pae::text::detail {

// UTF-8 to code points; throws pae::Error naming the byte offset of the first bad sequence.
std::u32string decodeUtf8(const std::string& bytes);
std::string encodeUtf8(const std::u32string& text);
// bytes.decode("utf-8", errors="replace"): each maximal ill-formed subpart becomes U+FFFD.
std::string repairUtf8(const std::string& bytes);

// One pass of Python's html.unescape.
std::u32string htmlUnescape(const std::u32string& text);
// Python's str.lower(), Final_Sigma included.
std::u32string pythonLower(const std::u32string& text);
// whitespace_clean(basic_clean(text)).lower() of the reference, without ftfy.fix_text.
std::string cleanText(const std::string& utf8);

// CLIP's split pattern for PCRE2 (compile with UTF | UCP | CASELESS).
std::string clipSplitPattern();

} // namespace pae::text::detail
