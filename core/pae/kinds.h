#pragma once
// What a target is made of (text, PAE, PAE+) and how a corpus basis is built: the PAE
// layer's two choices, as names for requests, sessions and the command line.
#include <string>

namespace pae {

// PaePlusCorpus: PAE+ with only the prompt's component in the corpus subspace (see targets.h).
enum class TargetKind { Text, Pae, PaePlus, PaePlusCorpus };
enum class BasisKind { Pca, GramSchmidt };

// "text", "pae", "pae+", "pae+corpus"; UsageError otherwise.
TargetKind parseTargetKind(const std::string& text);
std::string toString(TargetKind kind);
// "pca", "gram-schmidt"
BasisKind parseBasisKind(const std::string& text);
std::string toString(BasisKind kind);

} // namespace pae
