#pragma once
// A corpus: the prompts whose CLIP embeddings span the subspace an edit is confined to
// (DESIGN §4.1). One UTF-8 text file in prompts/, one prompt per line:
//
//   # Emotions, for the PAE emotion subspace.     <- comment
//   # template: a {} face                          <- optional, exactly one "{}"
//   # layers: 4-7                                  <- optional edit defaults (CorpusDefaults)
//   happy
//   sad
//
// Blank lines are ignored; duplicates (compared as CLIP's tokenizer sees them: case and
// runs of whitespace ignored) are dropped with a warning.
#include "core/pae/kinds.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pae {

// Edit settings a corpus asks for in its header, each key at most once:
//   # l2: 0.02      the L2 weight of its edits
//   # layers: 4-7   the W+ rows its edits move (as `pae-cli edit --layers`; checked against
//                   the generator when an edit uses it, EditRequest::defaults(models, corpus))
//   # space: w      w (one offset for every moved row) or w+
//   # target: pae+corpus   the target its edits use (text, pae, pae+, pae+corpus)
// Unset keys leave the models' defaults; a value the user sets wins over both.
struct CorpusDefaults {
    std::optional<float> l2Weight;
    std::string layers; // as written; empty: not set
    std::optional<bool> sharedOffset;
    std::optional<TargetKind> target;
    int layersLine = 0; // the header line of `layers`, for messages
    bool empty() const { return !l2Weight && layers.empty() && !sharedOffset && !target; }
};

struct Corpus {
    std::string name; // the file's stem: "emotion"
    std::filesystem::path file;
    std::string templ = "{}";         // "{}" when the file has no template line
    std::vector<std::string> prompts; // as written, in file order, without duplicates
    std::string contentHash;          // 16 hex digits over template and prompts; names the embedding cache
    CorpusDefaults defaults;          // edit settings from the header (not part of contentHash)

    // Each prompt put into the template: what is fed to the CLIP text encoder.
    std::vector<std::string> templatedPrompts() const;
};

// The most prompts a corpus may hold (each costs one CLIP text forward when it is embedded).
inline constexpr size_t kMaxCorpusPrompts = 10000;

// Throws pae::Error naming the file (and line, where there is one) when the file cannot
// be read, is not UTF-8, has a bad template line, holds no prompts or more than
// kMaxCorpusPrompts.
Corpus loadCorpus(const std::filesystem::path& file);
// The same from the file's text (the corpus fuzzer's entry); `file` names it in errors.
Corpus parseCorpus(std::string text, const std::filesystem::path& file);

// A name ("emotion") is looked up as <corpusRoot>/<name>.txt; anything with a '/' or
// ending in ".txt" is a file path. An unknown name is an error that lists the known ones.
Corpus findCorpus(const std::string& nameOrPath, const std::filesystem::path& corpusRoot);

// Names (file stems) of the *.txt files directly in root, sorted; empty if root is absent.
std::vector<std::string> listCorpora(const std::filesystem::path& root);

// FNV-1a, 64 bit, as 16 lowercase hex digits. Stable across platforms and runs: it names
// cache files.
std::string fnv1a64Hex(const std::string& bytes);

} // namespace pae
