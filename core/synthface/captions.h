#pragma once
// Captions for SynthFaces from a small grammar with synonyms and varied word order, the
// text side of the tiny CLIP's training pairs. A caption only names what is clearly there
// (each attribute has a threshold with a margin to the opposite wording) and never says
// what is absent ("not smiling" would teach CLIP that "smiling" is near such faces).
// Captions are lowercase words separated by single spaces, with ", " between list items.
#include "core/synthface/attributes.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pae::synthface {

// Everything the grammar can say about a face. At most one emotion holds at a time.
enum class Concept : int {
    Happy, Sad, Angry, Surprised, Scared, Disgusted, Neutral,
    RaisedBrows, FurrowedBrows,
    OpenMouth, ClosedMouth, WideMouth, SmallMouth,
    WideOpenEyes, ClosedEyes, NarrowedEyes, BigEyes, SmallEyes,
    ShortHair, LongHair, StraightHair, WavyHair, CurlyHair,
    BlackHair, BrownHair, BlondeHair, RedHair, GreyHair,
    Bald, Glasses, Beard,
    PaleSkin, DarkSkin, WideFace, NarrowFace,
    RedBackground, OrangeBackground, YellowBackground, GreenBackground, TealBackground,
    BlueBackground, PurpleBackground, PinkBackground,
    Count
};
constexpr int kConceptCount = static_cast<int>(Concept::Count);

const char* conceptName(Concept concept);      // "happy", "raised_brows", …
// The attribute a concept describes (the emotions: Smile, their main attribute).
Attr conceptAttribute(Concept concept);

// The concepts that clearly hold for these attributes, in Concept order.
std::vector<Concept> presentConcepts(const Attributes& attributes);

// One caption; consumes draws from rng.
std::string caption(const Attributes& attributes, std::mt19937_64& rng);
// The same, but every present concept of an attribute in mustName is named (for training
// pairs of faces that differ only there). Consumes the same draws as the plain one.
// `named`, when given, receives the concepts the caption names.
std::string caption(const Attributes& attributes, std::mt19937_64& rng, const std::vector<Attr>& mustName,
                    std::vector<Concept>* named = nullptr);
// `count` captions from a generator seeded with `seed`: the same for the same inputs.
std::vector<std::string> captions(const Attributes& attributes, uint64_t seed, int count);

// The captions of the face drawn from `faceSeed` (sampleAttributes(faceSeed)): seeded from
// a stream apart from the one that drew the attributes, so both stay reproducible from the
// one face seed and neither shifts when the other changes.
std::vector<std::string> faceCaptions(uint64_t faceSeed, const Attributes& attributes, int count);

// Every word the grammar can emit, sorted, unique (for learning the BPE vocabulary). The
// only punctuation in captions is ",".
const std::vector<std::string>& captionVocabulary();

} // namespace pae::synthface
