#include "core/synthface/captions.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace pae::synthface {

namespace {

// A "with …" item; `article` when it reads "a …" there and bare in a tag list.
struct Phrase {
    const char* text;
    bool article;
};

struct Words {
    const char* name;
    Attr attr;
    std::vector<const char*> adjectives; // before a noun or after "looking"; hair parts; colours
    std::vector<const char*> verbs;      // after the noun: "a man smiling"
    std::vector<Phrase> features;        // after "with"
};

const std::vector<Words>& table()
{
    // Order matches enum Concept.
    static const std::vector<Words> t = {
        {"happy", Attr::Smile, {"happy", "smiling", "joyful", "cheerful", "glad", "delighted"}, {"smiling", "grinning", "beaming"},
         {{"smile", true}, {"big smile", true}, {"grin", true}}},
        {"sad", Attr::Smile, {"sad", "unhappy", "gloomy", "sorrowful", "miserable", "downcast"}, {}, {}},
        {"angry", Attr::BrowAngle, {"angry", "furious", "mad", "enraged", "irate"}, {"frowning", "scowling", "glaring"},
         {{"scowl", true}}},
        {"surprised", Attr::BrowAngle, {"surprised", "astonished", "shocked", "amazed", "startled"}, {}, {}},
        {"scared", Attr::EyeOpen, {"scared", "afraid", "frightened", "fearful", "terrified"}, {}, {}},
        {"disgusted", Attr::Smile, {"disgusted", "repulsed", "revolted", "nauseated"}, {}, {}},
        {"neutral", Attr::Smile, {"neutral", "calm", "expressionless", "serious", "composed"}, {}, {}},
        {"raised_brows", Attr::BrowAngle, {}, {},
         {{"raised eyebrows", false}, {"raised brows", false}, {"arched eyebrows", false}, {"lifted eyebrows", false}}},
        {"furrowed_brows", Attr::BrowAngle, {}, {},
         {{"furrowed brows", false}, {"furrowed eyebrows", false}, {"knitted brows", false}, {"lowered eyebrows", false}}},
        {"open_mouth", Attr::MouthOpen, {}, {}, {{"open mouth", true}, {"gaping mouth", true}, {"parted lips", false}}},
        {"closed_mouth", Attr::MouthOpen, {}, {}, {{"closed mouth", true}, {"closed lips", false}, {"sealed lips", false}}},
        {"wide_mouth", Attr::MouthWidth, {}, {},
         {{"wide mouth", true}, {"big mouth", true}, {"broad mouth", true}, {"large mouth", true}}},
        {"small_mouth", Attr::MouthWidth, {}, {},
         {{"small mouth", true}, {"tiny mouth", true}, {"narrow mouth", true}, {"little mouth", true}}},
        {"wide_open_eyes", Attr::EyeOpen, {}, {},
         {{"wide open eyes", false}, {"eyes wide open", false}, {"staring eyes", false}}},
        {"closed_eyes", Attr::EyeOpen, {}, {},
         {{"closed eyes", false}, {"eyes closed", false}, {"shut eyes", false}, {"eyes shut", false}}},
        {"narrowed_eyes", Attr::EyeOpen, {}, {},
         {{"narrowed eyes", false}, {"squinting eyes", false}, {"sleepy eyes", false}}},
        {"big_eyes", Attr::EyeSize, {}, {},
         {{"big eyes", false}, {"large eyes", false}, {"huge eyes", false}, {"wide eyes", false}}},
        {"small_eyes", Attr::EyeSize, {}, {},
         {{"small eyes", false}, {"tiny eyes", false}, {"little eyes", false}, {"beady eyes", false}}},
        {"short_hair", Attr::HairLength, {"short", "cropped"}, {}, {}},
        {"long_hair", Attr::HairLength, {"long", "flowing"}, {}, {}},
        {"straight_hair", Attr::HairCurl, {"straight", "sleek", "smooth"}, {}, {}},
        {"wavy_hair", Attr::HairCurl, {"wavy"}, {}, {}},
        {"curly_hair", Attr::HairCurl, {"curly", "frizzy", "curled"}, {}, {}},
        {"black_hair", Attr::HairColor, {"black", "dark", "jet black"}, {}, {}},
        {"brown_hair", Attr::HairColor, {"brown", "brunette", "chestnut"}, {}, {}},
        {"blonde_hair", Attr::HairColor, {"blonde", "blond", "yellow", "golden"}, {}, {}},
        {"red_hair", Attr::HairColor, {"red", "ginger", "auburn", "copper"}, {}, {}},
        {"grey_hair", Attr::HairColor, {"grey", "gray", "white", "silver"}, {}, {}},
        {"bald", Attr::Bald, {"bald"}, {}, {{"bald head", true}, {"shaved head", true}, {"shiny bald head", true}}},
        {"glasses", Attr::Glasses, {}, {}, {{"glasses", false}, {"eyeglasses", false}, {"spectacles", false}}},
        {"beard", Attr::Beard, {"bearded"}, {}, {{"beard", true}, {"full beard", true}, {"thick beard", true}}},
        {"pale_skin", Attr::SkinTone, {}, {},
         {{"pale skin", false}, {"fair skin", false}, {"light skin", false}, {"pale complexion", true}}},
        {"dark_skin", Attr::SkinTone, {}, {}, {{"dark skin", false}, {"dark complexion", true}}},
        {"wide_face", Attr::FaceWidth, {}, {},
         {{"round face", true}, {"wide face", true}, {"broad face", true}, {"chubby face", true}}},
        {"narrow_face", Attr::FaceWidth, {}, {}, {{"narrow face", true}, {"thin face", true}, {"slim face", true}}},
        {"red_background", Attr::BackgroundHue, {"red"}, {}, {}},
        {"orange_background", Attr::BackgroundHue, {"orange"}, {}, {}},
        {"yellow_background", Attr::BackgroundHue, {"yellow"}, {}, {}},
        {"green_background", Attr::BackgroundHue, {"green"}, {}, {}},
        {"teal_background", Attr::BackgroundHue, {"teal", "cyan", "turquoise"}, {}, {}},
        {"blue_background", Attr::BackgroundHue, {"blue"}, {}, {}},
        {"purple_background", Attr::BackgroundHue, {"purple", "violet"}, {}, {}},
        {"pink_background", Attr::BackgroundHue, {"pink", "magenta"}, {}, {}},
    };
    return t;
}

const Words& words(Concept c)
{
    static_assert(kConceptCount == 43, "the table below lists every concept in enum order");
    return table().at(static_cast<size_t>(c));
}

bool isEmotion(Concept c) { return static_cast<int>(c) <= static_cast<int>(Concept::Neutral); }
bool isHairPart(Concept c)
{
    return static_cast<int>(c) >= static_cast<int>(Concept::ShortHair) &&
           static_cast<int>(c) <= static_cast<int>(Concept::GreyHair);
}
bool isBackground(Concept c) { return static_cast<int>(c) >= static_cast<int>(Concept::RedBackground); }

// The sentence frame, kept here so that the vocabulary lists every word a caption can hold.
const std::vector<const char*> kPrefixes = {"a photo of", "photo of", "a picture of", "a drawing of",
                                            "a portrait of", "an image of", "a cartoon of", "an illustration of",
                                            "a closeup of"};
const std::vector<const char*> kNouns = {"face", "person", "character"};
const std::vector<const char*> kBeardNouns = {"man", "guy"};
const std::vector<const char*> kFrameWords = {"a",  "an",  "with", "and",        "looking", "wearing",
                                              "hair", "expression", "look", "on", "against", "background",
                                              "backdrop", "who", "looks"};

class Rng {
public:
    explicit Rng(std::mt19937_64& g) : g_(g) {}
    double unit() { return uniform01(g_()); }
    bool chance(double p) { return unit() < p; }
    size_t index(size_t n) { return std::min(n - 1, static_cast<size_t>(unit() * double(n))); }
    template <typename T>
    const T& pick(const std::vector<T>& v) { return v[index(v.size())]; }
    // Fisher–Yates from our own draws, so the order is the same on every platform.
    template <typename T>
    void shuffle(std::vector<T>& v)
    {
        for (size_t i = v.size(); i > 1; --i)
            std::swap(v[i - 1], v[index(i)]);
    }

private:
    std::mt19937_64& g_;
};

std::string withArticle(const std::string& phrase)
{
    const bool vowel = !phrase.empty() && std::string("aeiou").find(phrase[0]) != std::string::npos;
    return (vowel ? "an " : "a ") + phrase;
}

std::string phraseText(const Phrase& p, bool inSentence)
{
    return p.article && inSentence ? withArticle(p.text) : std::string(p.text);
}

std::string joinList(const std::vector<std::string>& items)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0)
            out += (i + 1 == items.size()) ? " and " : ", ";
        out += items[i];
    }
    return out;
}

// Signed distance on the hue circle, so that red covers both ends.
double hueDistance(double a, double b)
{
    double d = std::fmod(std::abs(a - b), 1.0);
    return std::min(d, 1.0 - d);
}

} // namespace

const char* conceptName(Concept c) { return words(c).name; }
Attr conceptAttribute(Concept c) { return words(c).attr; }

std::vector<Concept> presentConcepts(const Attributes& a)
{
    std::vector<Concept> out;
    const auto add = [&](Concept c, bool present) {
        if (present)
            out.push_back(c);
    };
    const double smile = a.smile(), brow = a.browAngle(), mouth = a.mouthOpen(), eye = a.eyeOpen();

    // One emotion at most, the first whose look is clear. The gaps between these regions
    // (smile 0.2…0.5, say) are faces no caption names: the margin that keeps "happy"
    // from ever labelling a face another caption would call neutral.
    Concept emotion = Concept::Count;
    if (brow >= 0.45 && eye >= 0.65 && smile <= -0.4 && mouth >= 0.3)
        emotion = Concept::Scared;
    else if (brow >= 0.45 && eye >= 0.6 && mouth >= 0.5 && smile > -0.3 && smile < 0.45)
        emotion = Concept::Surprised;
    else if (brow <= -0.4 && smile <= -0.4 && eye <= 0.35)
        emotion = Concept::Disgusted;
    else if (brow <= -0.5 && smile <= 0.2 && eye >= 0.45)
        emotion = Concept::Angry;
    else if (smile >= 0.5 && brow >= -0.35)
        emotion = Concept::Happy;
    else if (smile <= -0.5 && brow >= -0.35 && brow <= 0.4)
        emotion = Concept::Sad;
    else if (std::abs(smile) <= 0.2 && std::abs(brow) <= 0.25 && mouth <= 0.2 && eye >= 0.3 && eye <= 0.8)
        emotion = Concept::Neutral;
    if (emotion != Concept::Count)
        out.push_back(emotion);

    add(Concept::RaisedBrows, brow >= 0.55);
    add(Concept::FurrowedBrows, brow <= -0.55);
    add(Concept::OpenMouth, mouth >= 0.55);
    add(Concept::ClosedMouth, mouth <= 0.08);
    add(Concept::WideMouth, a.mouthWidth() >= 0.75);
    add(Concept::SmallMouth, a.mouthWidth() <= 0.25);
    add(Concept::WideOpenEyes, eye >= 0.85);
    add(Concept::ClosedEyes, eye <= 0.1);
    add(Concept::NarrowedEyes, eye >= 0.18 && eye <= 0.32);
    add(Concept::BigEyes, a.eyeSize() >= 0.75);
    add(Concept::SmallEyes, a.eyeSize() <= 0.25);

    if (!a.bald()) {
        add(Concept::ShortHair, a.hairLength() <= 0.3);
        add(Concept::LongHair, a.hairLength() >= 0.7);
        add(Concept::StraightHair, a.hairCurl() <= 0.2);
        add(Concept::WavyHair, a.hairCurl() >= 0.4 && a.hairCurl() <= 0.6);
        add(Concept::CurlyHair, a.hairCurl() >= 0.75);
        out.push_back(static_cast<Concept>(static_cast<int>(Concept::BlackHair) + static_cast<int>(a.hairColor())));
    }
    add(Concept::Bald, a.bald());
    add(Concept::Glasses, a.glasses());
    add(Concept::Beard, a.beard());
    add(Concept::PaleSkin, a.skinTone() <= 0.15);
    add(Concept::DarkSkin, a.skinTone() >= 0.8);
    add(Concept::WideFace, a.faceWidth() >= 0.8);
    add(Concept::NarrowFace, a.faceWidth() <= 0.2);

    // Hue centres of the named background colours; a name holds within ±0.03 of its
    // centre, so neighbouring names (orange, yellow) never share a face.
    static const std::pair<Concept, double> hues[] = {
        {Concept::RedBackground, 0.0},     {Concept::OrangeBackground, 0.075}, {Concept::YellowBackground, 0.15},
        {Concept::GreenBackground, 0.32},  {Concept::TealBackground, 0.5},     {Concept::BlueBackground, 0.62},
        {Concept::PurpleBackground, 0.76}, {Concept::PinkBackground, 0.89},
    };
    for (const auto& [c, centre] : hues)
        add(c, hueDistance(a.backgroundHue(), centre) <= (c == Concept::GreenBackground ? 0.06 : 0.03));
    return out;
}

std::string caption(const Attributes& attributes, std::mt19937_64& gen) { return caption(attributes, gen, {}); }

std::string caption(const Attributes& attributes, std::mt19937_64& gen, const std::vector<Attr>& mustName,
                    std::vector<Concept>* named)
{
    Rng rng(gen);
    const std::vector<Concept> present = presentConcepts(attributes);

    // Which of the present concepts this caption names: a random subset, so that CLIP
    // learns each concept from captions that leave the others out.
    std::vector<Concept> chosen;
    for (Concept c : present) {
        const double p = isEmotion(c) ? 0.75 : isHairPart(c) ? 0.5 : isBackground(c) ? 0.25 : 0.45;
        const bool forced = std::find(mustName.begin(), mustName.end(), conceptAttribute(c)) != mustName.end();
        if (rng.chance(p) || forced)
            chosen.push_back(c);
    }
    if (chosen.empty() && !present.empty())
        chosen.push_back(rng.pick(present));
    if (named)
        *named = chosen;

    Concept emotion = Concept::Count;
    std::vector<Concept> hairParts, features;
    Concept background = Concept::Count;
    for (Concept c : chosen) {
        if (isEmotion(c))
            emotion = c;
        else if (isHairPart(c))
            hairParts.push_back(c);
        else if (isBackground(c))
            background = c;
        else
            features.push_back(c);
    }

    // Hair parts always read length, curl, colour: "long curly red hair".
    std::string hair;
    for (Concept c : hairParts)
        hair += std::string(hair.empty() ? "" : " ") + rng.pick(words(c).adjectives);
    if (!hair.empty())
        hair += " hair";

    if (rng.chance(0.15)) {
        // Tag list: "happy face, blonde hair, glasses, blue background".
        std::vector<std::string> tags;
        if (emotion != Concept::Count)
            tags.push_back(std::string(rng.pick(words(emotion).adjectives)) + " " +
                           (rng.chance(0.5) ? "face" : "expression"));
        if (!hair.empty())
            tags.push_back(hair);
        for (Concept c : features)
            tags.push_back(phraseText(rng.pick(words(c).features), false));
        if (background != Concept::Count)
            tags.push_back(std::string(rng.pick(words(background).adjectives)) + " background");
        if (tags.empty())
            tags.push_back(rng.pick(kNouns));
        rng.shuffle(tags);
        std::string out;
        for (const std::string& t : tags)
            out += (out.empty() ? "" : ", ") + t;
        return out;
    }

    // Sentence: [prefix] a [adjectives] noun [tail clauses in random order] [background].
    std::vector<std::string> adjectives, withItems, clauses;
    bool emotionLooking = false;
    std::string looking, verb;
    if (emotion != Concept::Count) {
        const Words& w = words(emotion);
        const double r = rng.unit();
        if (r < 0.45)
            adjectives.push_back(rng.pick(w.adjectives));
        else if (r < 0.65 && !w.verbs.empty())
            clauses.push_back(verb = rng.pick(w.verbs));
        else if (r < 0.75 && !w.features.empty())
            withItems.push_back(phraseText(rng.pick(w.features), true));
        else if (r < 0.85)
            withItems.push_back(withArticle(std::string(rng.pick(w.adjectives)) + " " +
                                            (rng.chance(0.5) ? "expression" : "look")));
        else {
            emotionLooking = true;
            looking = rng.pick(w.adjectives);
        }
    }
    if (!hair.empty())
        withItems.push_back(hair);
    for (Concept c : features) {
        const Words& w = words(c);
        if (c == Concept::Bald && rng.chance(0.6)) {
            adjectives.insert(adjectives.begin(), "bald");
        } else if (c == Concept::Beard && rng.chance(0.35)) {
            adjectives.push_back("bearded");
        } else if (c == Concept::Glasses && rng.chance(0.5)) {
            clauses.push_back(std::string("wearing ") + rng.pick(w.features).text);
        } else {
            withItems.push_back(phraseText(rng.pick(w.features), true));
        }
    }
    rng.shuffle(withItems);

    std::vector<const char*> nouns = kNouns;
    if (attributes.beard())
        nouns.insert(nouns.end(), kBeardNouns.begin(), kBeardNouns.end());
    // "a bald face" reads wrong, and so does "a face with a round face".
    const bool faceShape = std::find(features.begin(), features.end(), Concept::WideFace) != features.end() ||
                           std::find(features.begin(), features.end(), Concept::NarrowFace) != features.end();
    if (faceShape || std::find(adjectives.begin(), adjectives.end(), "bald") != adjectives.end())
        nouns.erase(std::find(nouns.begin(), nouns.end(), std::string("face")));

    std::string subject;
    for (const std::string& adj : adjectives)
        subject += adj + " ";
    subject += rng.pick(nouns);
    std::string out = withArticle(subject);
    if (rng.chance(0.4))
        out = std::string(rng.pick(kPrefixes)) + " " + out;

    // A participle stays next to its noun ("a man smiling with …"); the rest may swap.
    if (!withItems.empty())
        clauses.push_back("with " + joinList(withItems));
    rng.shuffle(clauses);
    std::stable_partition(clauses.begin(), clauses.end(), [&](const std::string& c) { return c == verb; });
    for (const std::string& c : clauses)
        out += " " + c;
    if (emotionLooking) {
        const double r = rng.unit();
        // "…, who looks sad" after a with-list would attach to the list's last noun.
        const std::string tail = (r < 0.6 || !clauses.empty()) ? "looking " + looking : "who looks " + looking;
        out += (clauses.empty() ? " " : ", ") + tail;
    }
    if (background != Concept::Count) {
        const std::string colour = rng.pick(words(background).adjectives);
        out += std::string(rng.chance(0.5) ? " on " : " against ") +
               withArticle(colour + " " + (rng.chance(0.7) ? "background" : "backdrop"));
    }
    return out;
}

std::vector<std::string> captions(const Attributes& attributes, uint64_t seed, int count)
{
    if (count < 0)
        throw Error("caption count " + std::to_string(count) + " is negative");
    std::mt19937_64 gen(seed);
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i)
        out.push_back(caption(attributes, gen));
    return out;
}

std::vector<std::string> faceCaptions(uint64_t faceSeed, const Attributes& attributes, int count)
{
    // An odd constant (2^64 / golden ratio) keeps the caption stream of face n away from
    // the attribute stream of every nearby face.
    return captions(attributes, faceSeed ^ 0x9E3779B97F4A7C15ull, count);
}

const std::vector<std::string>& captionVocabulary()
{
    static const std::vector<std::string> vocab = [] {
        std::set<std::string> words;
        const auto addText = [&](const std::string& text) {
            std::istringstream in(text);
            std::string w;
            while (in >> w)
                words.insert(w);
        };
        for (const Words& w : table()) {
            for (const char* s : w.adjectives)
                addText(s);
            for (const char* s : w.verbs)
                addText(s);
            for (const Phrase& p : w.features)
                addText(p.text);
        }
        for (const auto* list : {&kPrefixes, &kNouns, &kBeardNouns, &kFrameWords})
            for (const char* s : *list)
                addText(s);
        return std::vector<std::string>(words.begin(), words.end());
    }();
    return vocab;
}

} // namespace pae::synthface
