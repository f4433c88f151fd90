#include "core/synthface/attributes.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace pae::synthface {

namespace {

const std::array<AttrInfo, kAttrCount> kTable = {{
    {Attr::Smile, "smile", AttrKind::Signed, -1.f, 1.f},
    {Attr::BrowAngle, "brow_angle", AttrKind::Signed, -1.f, 1.f},
    {Attr::MouthOpen, "mouth_open", AttrKind::Unit, 0.f, 1.f},
    {Attr::EyeOpen, "eye_open", AttrKind::Unit, 0.f, 1.f},
    {Attr::HairColor, "hair_color", AttrKind::Categorical, 0.f, float(kHairColorCount - 1)},
    {Attr::HairLength, "hair_length", AttrKind::Unit, 0.f, 1.f},
    {Attr::HairCurl, "hair_curl", AttrKind::Unit, 0.f, 1.f},
    {Attr::Bald, "bald", AttrKind::Binary, 0.f, 1.f},
    {Attr::EyeSize, "eye_size", AttrKind::Unit, 0.f, 1.f},
    {Attr::MouthWidth, "mouth_width", AttrKind::Unit, 0.f, 1.f},
    {Attr::SkinTone, "skin_tone", AttrKind::Unit, 0.f, 1.f},
    {Attr::FaceWidth, "face_width", AttrKind::Unit, 0.f, 1.f},
    {Attr::Glasses, "glasses", AttrKind::Binary, 0.f, 1.f},
    {Attr::Beard, "beard", AttrKind::Binary, 0.f, 1.f},
    {Attr::BackgroundHue, "background_hue", AttrKind::Circular, 0.f, 1.f},
}};

const char* const kHairColorNames[kHairColorCount] = {"black", "brown", "blonde", "red", "grey"};

void checkValue(Attr attr, float value)
{
    const AttrInfo& i = info(attr);
    const auto fail = [&](const char* why) {
        throw Error("attribute '" + std::string(i.name) + "': " + std::to_string(value) + " " + why);
    };
    if (!std::isfinite(value))
        fail("is not a finite number");
    switch (i.kind) {
    case AttrKind::Signed:
    case AttrKind::Unit:
        if (value < i.minValue || value > i.maxValue)
            fail(i.kind == AttrKind::Signed ? "is outside [-1, 1]" : "is outside [0, 1]");
        break;
    case AttrKind::Binary:
        if (value < 0.f || value > 1.f)
            fail("is outside [0, 1] (0 absent, 1 present)");
        break;
    case AttrKind::Categorical:
        if (value < i.minValue || value > i.maxValue)
            fail(("is outside the category indices 0.." + std::to_string(int(i.maxValue))).c_str());
        break;
    case AttrKind::Circular:
        if (value < 0.f || value >= 1.f)
            fail("is outside [0, 1)");
        break;
    }
}

// Each draw consumes exactly one 64-bit output, so adding an attribute at the end of
// sampling never changes the ones before it.
class Draw {
public:
    explicit Draw(std::mt19937_64& rng) : rng_(rng) {}
    double unit() { return uniform01(rng_()); }
    bool chance(double p) { return unit() < p; }
    int index(int n) { return std::min(n - 1, static_cast<int>(unit() * n)); }

private:
    std::mt19937_64& rng_;
};

float clampTo(Attr attr, double v)
{
    const AttrInfo& i = info(attr);
    return static_cast<float>(std::clamp(v, double(i.minValue), double(i.maxValue)));
}

} // namespace

double uniform01(uint64_t raw) { return static_cast<double>(raw >> 11) * (1.0 / 9007199254740992.0); }

const std::array<AttrInfo, kAttrCount>& attributeTable() { return kTable; }

const AttrInfo& info(Attr attr)
{
    const int i = static_cast<int>(attr);
    if (i < 0 || i >= kAttrCount)
        throw Error("attribute index " + std::to_string(i) + " is out of range");
    return kTable[i];
}

const char* name(Attr attr) { return info(attr).name; }

Attr attrFromName(const std::string& text)
{
    for (const AttrInfo& i : kTable)
        if (text == i.name)
            return i.attr;
    std::string known;
    for (const AttrInfo& i : kTable)
        known += std::string(known.empty() ? "" : ", ") + i.name;
    throw UsageError("unknown attribute '" + text + "' (known: " + known + ")");
}

const char* hairColorName(HairColorIndex color)
{
    const int i = static_cast<int>(color);
    if (i < 0 || i >= kHairColorCount)
        throw Error("hair colour index " + std::to_string(i) + " is out of range");
    return kHairColorNames[i];
}

const std::vector<CorpusAttributes>& corpusAttributeMap()
{
    static const std::vector<CorpusAttributes> map = {
        {"emotion", {Attr::Smile, Attr::BrowAngle, Attr::MouthOpen, Attr::EyeOpen}},
        {"emotion-basic", {Attr::Smile, Attr::BrowAngle, Attr::MouthOpen, Attr::EyeOpen}},
        {"hairstyle", {Attr::HairLength, Attr::HairCurl, Attr::Bald}},
        {"hair-colour", {Attr::HairColor}},
        {"eyes", {Attr::EyeSize, Attr::EyeOpen}},
        {"mouth", {Attr::MouthWidth, Attr::MouthOpen}},
        {"glasses", {Attr::Glasses}},
        {"beard", {Attr::Beard}},
    };
    return map;
}

const std::vector<Attr>& attributesOfCorpus(const std::string& corpus)
{
    for (const CorpusAttributes& c : corpusAttributeMap())
        if (corpus == c.corpus)
            return c.attributes;
    std::string known;
    for (const CorpusAttributes& c : corpusAttributeMap())
        known += std::string(known.empty() ? "" : ", ") + c.corpus;
    throw UsageError("unknown SynthFace corpus '" + corpus + "' (known: " + known + ")");
}

std::vector<Attr> identityAttributes()
{
    std::vector<Attr> out;
    for (const AttrInfo& i : kTable) {
        bool touched = false;
        for (const CorpusAttributes& c : corpusAttributeMap())
            touched = touched || std::find(c.attributes.begin(), c.attributes.end(), i.attr) != c.attributes.end();
        if (!touched)
            out.push_back(i.attr);
    }
    return out;
}

Attributes::Attributes()
{
    values_.fill(0.f);
    values_[int(Attr::MouthOpen)] = 0.1f;
    values_[int(Attr::EyeOpen)] = 0.6f;
    values_[int(Attr::HairColor)] = float(int(HairColorIndex::Brown));
    values_[int(Attr::HairLength)] = 0.4f;
    values_[int(Attr::HairCurl)] = 0.2f;
    values_[int(Attr::EyeSize)] = 0.5f;
    values_[int(Attr::MouthWidth)] = 0.5f;
    values_[int(Attr::SkinTone)] = 0.3f;
    values_[int(Attr::FaceWidth)] = 0.5f;
    values_[int(Attr::BackgroundHue)] = 0.58f;
}

void Attributes::set(Attr attr, float value)
{
    checkValue(attr, value);
    values_[static_cast<int>(attr)] = value;
}

Attributes Attributes::fromValues(const std::array<float, kAttrCount>& values)
{
    Attributes a;
    for (int i = 0; i < kAttrCount; ++i)
        a.set(static_cast<Attr>(i), values[i]);
    return a;
}

double binaryPrior(Attr attr)
{
    switch (attr) {
    case Attr::Bald:
        // As common as a beard: at 0.12 the threshold sat 1.2σ from a typical face and no edit
        // found it (0% for every target); at 0.25, 30-35% of "a bald person" edits work (README).
        return 0.25;
    case Attr::Glasses:
        return 0.3;
    case Attr::Beard:
        return 0.25;
    default:
        throw Error("attribute '" + std::string(name(attr)) + "' is not binary, so it has no prior");
    }
}

Attributes sampleAttributes(uint64_t seed)
{
    std::mt19937_64 rng(seed);
    return sampleAttributes(rng);
}

Attributes sampleAttributes(std::mt19937_64& rng)
{
    Draw d(rng);
    Attributes a;
    const auto set = [&](Attr attr, double v) { a.set(attr, clampTo(attr, v)); };

    // Expression: 0 = independent, 1.. = a basic emotion with jitter. The draws are made
    // for every branch so the stream position after the expression never depends on it.
    const int mode = d.chance(0.5) ? 0 : 1 + d.index(7);
    const double u[4] = {d.unit(), d.unit(), d.unit(), d.unit()};
    const double v[4] = {d.unit(), d.unit(), d.unit(), d.unit()};
    const auto mix = [](double lo, double hi, double t) { return lo + (hi - lo) * t; };
    // Symmetric jitter in [-1, 1] from two uniforms (triangular).
    const auto tri = [&](int k) { return u[k] - v[k]; };
    double smile, brow, mouth, eye;
    switch (mode) {
    case 0:
        smile = mix(-1, 1, u[0]);
        brow = mix(-1, 1, u[1]);
        mouth = u[2];
        eye = u[3];
        break;
    case 1: // neutral
        smile = 0.15 * tri(0);
        brow = 0.2 * tri(1);
        mouth = 0.12 * u[2];
        eye = mix(0.45, 0.7, u[3]);
        break;
    case 2: // happy
        smile = 1.0 - 0.4 * u[0];
        brow = mix(-0.2, 0.5, u[1]);
        mouth = mix(0.0, 0.8, u[2]);
        eye = mix(0.35, 0.8, u[3]);
        break;
    case 3: // sad
        smile = -1.0 + 0.4 * u[0];
        brow = mix(-0.2, 0.3, u[1]);
        mouth = mix(0.0, 0.3, u[2]);
        eye = mix(0.25, 0.6, u[3]);
        break;
    case 4: // angry
        smile = mix(-0.5, 0.15, u[0]);
        brow = -1.0 + 0.4 * u[1];
        mouth = mix(0.0, 0.5, u[2]);
        eye = mix(0.5, 0.9, u[3]);
        break;
    case 5: // surprised
        smile = mix(-0.2, 0.3, u[0]);
        brow = 1.0 - 0.4 * u[1];
        mouth = mix(0.6, 1.0, u[2]);
        eye = mix(0.8, 1.0, u[3]);
        break;
    case 6: // scared
        smile = -1.0 + 0.5 * u[0];
        brow = 1.0 - 0.4 * u[1];
        mouth = mix(0.35, 0.8, u[2]);
        eye = mix(0.75, 1.0, u[3]);
        break;
    default: // disgusted
        smile = -1.0 + 0.45 * u[0];
        brow = -1.0 + 0.45 * u[1];
        mouth = mix(0.0, 0.4, u[2]);
        eye = mix(0.05, 0.3, u[3]);
        break;
    }
    set(Attr::Smile, smile);
    set(Attr::BrowAngle, brow);
    set(Attr::MouthOpen, mouth);
    set(Attr::EyeOpen, eye);

    a.set(Attr::HairColor, float(d.index(kHairColorCount)));
    set(Attr::HairLength, d.unit());
    set(Attr::HairCurl, d.unit());
    a.set(Attr::Bald, d.chance(binaryPrior(Attr::Bald)) ? 1.f : 0.f);
    set(Attr::EyeSize, d.unit());
    set(Attr::MouthWidth, d.unit());
    set(Attr::SkinTone, d.unit());
    set(Attr::FaceWidth, d.unit());
    a.set(Attr::Glasses, d.chance(binaryPrior(Attr::Glasses)) ? 1.f : 0.f);
    a.set(Attr::Beard, d.chance(binaryPrior(Attr::Beard)) ? 1.f : 0.f);
    // uniform01 < 1, and the float rounding of a value just below 1 could reach 1.0f.
    set(Attr::BackgroundHue, std::min(d.unit(), 0.999999));
    return a;
}

} // namespace pae::synthface
