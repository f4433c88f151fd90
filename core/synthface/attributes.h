#pragma once
// The attribute vector of a SynthFace: what the procedural renderer draws, what captions
// describe, and what the attribute regressor reads back. Torch-free: ui/ may include it.
//
// Every attribute is one float. Its kind says how to read it:
//   Signed      [-1, 1]  the two ends are opposite looks (smile: -1 sad, +1 happy)
//   Unit        [ 0, 1]  none ↔ much
//   Binary      [ 0, 1]  absent / present: the world's sampler and the captions use 0 and 1;
//                        a value between is how much of it is drawn (a generator latent
//                        grades bald and beard), and it is present above 0.5
//   Categorical [0, n-1] an index into categories (hair colour); a value between two
//                        indices blends their looks, and the category is the nearest index
//   Circular    [ 0, 1)  a hue; 0 and 1 are the same colour
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pae::synthface {

enum class Attr : int {
    Smile = 0,      // Signed: -1 mouth corners down (sad) … +1 corners up (happy)
    BrowAngle,      // Signed: -1 inner ends lowered (angry) … +1 raised and arched (surprised)
    MouthOpen,      // Unit: closed … wide open (dark interior shows)
    EyeOpen,        // Unit: shut … wide open
    HairColor,      // Categorical: HairColorIndex
    HairLength,     // Unit: cropped to the ears … past the shoulders
    HairCurl,       // Unit: straight … tightly curled outline
    Bald,           // Binary: no scalp hair drawn (brows and beard keep the hair colour)
    EyeSize,        // Unit: small … big
    MouthWidth,     // Unit: narrow … wide
    SkinTone,       // Unit: pale … dark
    FaceWidth,      // Unit: narrow … wide head
    Glasses,        // Binary
    Beard,          // Binary
    BackgroundHue,  // Circular
    Count
};
constexpr int kAttrCount = static_cast<int>(Attr::Count);

enum class AttrKind { Signed, Unit, Binary, Categorical, Circular };

// Palette order is part of the file formats (JSON, regressor outputs): append only.
enum class HairColorIndex : int { Black = 0, Brown, Blonde, Red, Grey, Count };
constexpr int kHairColorCount = static_cast<int>(HairColorIndex::Count);

struct AttrInfo {
    Attr attr;
    const char* name;     // snake_case, stable: used in JSON and on the command line
    AttrKind kind;
    float minValue;
    float maxValue;       // Circular: exclusive; Categorical: count - 1
};

const std::array<AttrInfo, kAttrCount>& attributeTable();
const AttrInfo& info(Attr attr);
const char* name(Attr attr);
// UsageError naming the unknown name.
Attr attrFromName(const std::string& name);
const char* hairColorName(HairColorIndex color);   // "black", "brown", "blonde", "red", "grey"

// A corpus of prompts/synthface/ and the attributes its prompts are meant to move. The
// attributes no corpus touches (face width, skin tone, background) are the identity that
// an edit should keep.
struct CorpusAttributes {
    const char* corpus;              // file stem in prompts/synthface/
    std::vector<Attr> attributes;
};
const std::vector<CorpusAttributes>& corpusAttributeMap();
// Throws UsageError for an unknown corpus name.
const std::vector<Attr>& attributesOfCorpus(const std::string& corpus);
// Attributes that appear in no corpus of the map.
std::vector<Attr> identityAttributes();

class Attributes {
public:
    // A neutral face: mid values, no glasses, no beard, brown hair.
    Attributes();

    float operator[](Attr attr) const { return values_[static_cast<int>(attr)]; }
    // Sets a value after checking it against the attribute's range and kind; pae::Error
    // naming the attribute otherwise (NaN included).
    void set(Attr attr, float value);
    const std::array<float, kAttrCount>& values() const { return values_; }
    // Checks every value; pae::Error naming the first bad attribute.
    static Attributes fromValues(const std::array<float, kAttrCount>& values);

    float smile() const { return (*this)[Attr::Smile]; }
    float browAngle() const { return (*this)[Attr::BrowAngle]; }
    float mouthOpen() const { return (*this)[Attr::MouthOpen]; }
    float eyeOpen() const { return (*this)[Attr::EyeOpen]; }
    HairColorIndex hairColor() const { return static_cast<HairColorIndex>(static_cast<int>(std::lround((*this)[Attr::HairColor]))); }
    float hairLength() const { return (*this)[Attr::HairLength]; }
    float hairCurl() const { return (*this)[Attr::HairCurl]; }
    bool bald() const { return (*this)[Attr::Bald] > 0.5f; }
    float eyeSize() const { return (*this)[Attr::EyeSize]; }
    float mouthWidth() const { return (*this)[Attr::MouthWidth]; }
    float skinTone() const { return (*this)[Attr::SkinTone]; }
    float faceWidth() const { return (*this)[Attr::FaceWidth]; }
    bool glasses() const { return (*this)[Attr::Glasses] > 0.5f; }
    bool beard() const { return (*this)[Attr::Beard] > 0.5f; }
    float backgroundHue() const { return (*this)[Attr::BackgroundHue]; }

    bool operator==(const Attributes& other) const { return values_ == other.values_; }
    bool operator!=(const Attributes& other) const { return !(*this == other); }

private:
    std::array<float, kAttrCount> values_;
};

// The same face on every platform for the same seed: the generator is std::mt19937_64,
// whose output sequence the standard fixes, and every distribution is written here from
// its raw 64-bit output (the standard library's distributions differ between vendors).
//
// Half the faces take their expression from one of the basic emotions (neutral, happy,
// sad, angry, surprised, scared, disgusted) with jitter, so that every caption word has
// examples; the other half draw every expression attribute independently, so that a
// learner also sees the attributes apart from each other.
Attributes sampleAttributes(uint64_t seed);
// Draws from a caller's generator (several faces from one stream).
Attributes sampleAttributes(std::mt19937_64& rng);

// How often sampleAttributes draws a Binary attribute present (bald, glasses, beard);
// pae::Error for an attribute of another kind.
double binaryPrior(Attr attr);

// Uniform [0, 1) from the top 53 bits of one draw; exact and portable.
double uniform01(uint64_t raw);

} // namespace pae::synthface
