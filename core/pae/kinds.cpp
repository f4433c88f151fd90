#include "core/pae/kinds.h"

#include "core/util/error.h"

namespace pae {

TargetKind parseTargetKind(const std::string& text)
{
    if (text == "text")
        return TargetKind::Text;
    if (text == "pae")
        return TargetKind::Pae;
    if (text == "pae+")
        return TargetKind::PaePlus;
    if (text == "pae+corpus")
        return TargetKind::PaePlusCorpus;
    throw UsageError("target: '" + text + "' is not one of text, pae, pae+, pae+corpus");
}

std::string toString(TargetKind kind)
{
    switch (kind) {
    case TargetKind::Text:
        return "text";
    case TargetKind::Pae:
        return "pae";
    case TargetKind::PaePlus:
        return "pae+";
    case TargetKind::PaePlusCorpus:
        return "pae+corpus";
    }
    throw Error("target: invalid TargetKind value " + std::to_string(static_cast<int>(kind)));
}

BasisKind parseBasisKind(const std::string& text)
{
    if (text == "pca")
        return BasisKind::Pca;
    if (text == "gram-schmidt")
        return BasisKind::GramSchmidt;
    throw UsageError("basis: '" + text + "' is not one of pca, gram-schmidt");
}

std::string toString(BasisKind kind)
{
    switch (kind) {
    case BasisKind::Pca:
        return "pca";
    case BasisKind::GramSchmidt:
        return "gram-schmidt";
    }
    throw Error("basis: invalid BasisKind value " + std::to_string(static_cast<int>(kind)));
}

} // namespace pae
