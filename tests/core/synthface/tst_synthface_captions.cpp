#include "core/synthface/attributes.h"
#include "core/synthface/captions.h"
#include "core/util/error.h"

#include <QtTest/QtTest>

#include <cmath>
#include <functional>
#include <set>

using namespace pae::synthface;

namespace {

// " a, b " → " a , b ": every phrase can then be found as " phrase " on word boundaries,
// and never across two list items ("small eyes, closed lips" does not say "eyes closed").
QString padded(const std::string& caption)
{
    return " " + QString::fromStdString(caption).replace(",", " ,") + " ";
}

bool says(const QString& padded, const char* phrase) { return padded.contains(" " + QString(phrase) + " "); }

double hueDistance(double a, double b)
{
    const double d = std::fmod(std::abs(a - b), 1.0);
    return std::min(d, 1.0 - d);
}

// What a reader would conclude from a word, written out here apart from the grammar's own
// tables and thresholds: a caption that uses the word must show a face where this holds.
struct Claim {
    std::vector<const char*> phrases;
    std::function<bool(const Attributes&)> holds;
    const char* what;
};

const std::vector<Claim>& claims()
{
    using A = const Attributes&;
    static const std::vector<Claim> c = {
        {{"happy", "smiling", "joyful", "cheerful", "glad", "delighted", "grinning", "beaming", "smile", "grin"},
         [](A a) { return a.smile() >= 0.4f; }, "smile"},
        {{"sad", "unhappy", "gloomy", "sorrowful", "miserable", "downcast"}, [](A a) { return a.smile() <= -0.4f; }, "sad"},
        {{"angry", "furious", "mad", "enraged", "irate", "frowning", "scowling", "glaring", "scowl"},
         [](A a) { return a.browAngle() <= -0.4f; }, "angry"},
        {{"surprised", "astonished", "shocked", "amazed", "startled"},
         [](A a) { return a.browAngle() >= 0.4f && a.mouthOpen() >= 0.4f; }, "surprised"},
        {{"scared", "afraid", "frightened", "fearful", "terrified"},
         [](A a) { return a.browAngle() >= 0.4f && a.smile() <= -0.3f; }, "scared"},
        {{"disgusted", "repulsed", "revolted", "nauseated"},
         [](A a) { return a.browAngle() <= -0.3f && a.smile() <= -0.3f; }, "disgusted"},
        {{"neutral", "calm", "expressionless", "serious", "composed"},
         [](A a) { return std::abs(a.smile()) <= 0.25f && std::abs(a.browAngle()) <= 0.3f; }, "neutral"},
        {{"raised eyebrows", "raised brows", "arched eyebrows", "lifted eyebrows"},
         [](A a) { return a.browAngle() >= 0.5f; }, "raised brows"},
        {{"furrowed brows", "furrowed eyebrows", "knitted brows", "lowered eyebrows"},
         [](A a) { return a.browAngle() <= -0.5f; }, "furrowed brows"},
        {{"open mouth", "gaping mouth", "parted lips"}, [](A a) { return a.mouthOpen() >= 0.5f; }, "open mouth"},
        {{"closed mouth", "closed lips", "sealed lips"}, [](A a) { return a.mouthOpen() <= 0.1f; }, "closed mouth"},
        {{"wide open eyes", "eyes wide open", "staring eyes"}, [](A a) { return a.eyeOpen() >= 0.8f; }, "wide open eyes"},
        {{"closed eyes", "eyes closed", "shut eyes", "eyes shut"}, [](A a) { return a.eyeOpen() <= 0.15f; }, "closed eyes"},
        {{"narrowed eyes", "squinting eyes", "sleepy eyes"},
         [](A a) { return a.eyeOpen() >= 0.15f && a.eyeOpen() <= 0.35f; }, "narrowed eyes"},
        {{"big eyes", "large eyes", "huge eyes", "wide eyes"}, [](A a) { return a.eyeSize() >= 0.7f; }, "big eyes"},
        {{"small eyes", "tiny eyes", "little eyes", "beady eyes"}, [](A a) { return a.eyeSize() <= 0.3f; }, "small eyes"},
        {{"wide mouth", "big mouth", "broad mouth", "large mouth"}, [](A a) { return a.mouthWidth() >= 0.7f; }, "wide mouth"},
        {{"small mouth", "tiny mouth", "narrow mouth", "little mouth"},
         [](A a) { return a.mouthWidth() <= 0.3f; }, "small mouth"},
        {{"short", "cropped"}, [](A a) { return !a.bald() && a.hairLength() <= 0.35f; }, "short hair"},
        {{"long", "flowing"}, [](A a) { return !a.bald() && a.hairLength() >= 0.65f; }, "long hair"},
        {{"straight", "sleek", "smooth"}, [](A a) { return !a.bald() && a.hairCurl() <= 0.25f; }, "straight hair"},
        {{"wavy"}, [](A a) { return !a.bald() && a.hairCurl() >= 0.35f && a.hairCurl() <= 0.65f; }, "wavy hair"},
        {{"curly", "frizzy", "curled"}, [](A a) { return !a.bald() && a.hairCurl() >= 0.7f; }, "curly hair"},
        {{"blonde", "blond", "golden", "yellow hair"},
         [](A a) { return !a.bald() && a.hairColor() == HairColorIndex::Blonde; }, "blonde"},
        {{"ginger", "auburn", "copper", "red hair"}, [](A a) { return !a.bald() && a.hairColor() == HairColorIndex::Red; },
         "red hair"},
        {{"brunette", "chestnut", "brown hair"}, [](A a) { return !a.bald() && a.hairColor() == HairColorIndex::Brown; },
         "brown hair"},
        {{"jet black", "black hair", "dark hair"},
         [](A a) { return !a.bald() && a.hairColor() == HairColorIndex::Black; }, "black hair"},
        {{"grey", "gray", "silver", "white hair"}, [](A a) { return !a.bald() && a.hairColor() == HairColorIndex::Grey; },
         "grey hair"},
        {{"hair"}, [](A a) { return !a.bald(); }, "any hair"},
        {{"bald", "shaved"}, [](A a) { return a.bald(); }, "bald"},
        {{"glasses", "eyeglasses", "spectacles"}, [](A a) { return a.glasses(); }, "glasses"},
        {{"beard", "bearded", "man", "guy"}, [](A a) { return a.beard(); }, "beard"},
        {{"pale", "fair skin", "light skin"}, [](A a) { return a.skinTone() <= 0.2f; }, "pale skin"},
        {{"dark skin", "dark complexion"}, [](A a) { return a.skinTone() >= 0.75f; }, "dark skin"},
        {{"round face", "wide face", "broad face", "chubby face"}, [](A a) { return a.faceWidth() >= 0.75f; }, "wide face"},
        {{"narrow face", "thin face", "slim face"}, [](A a) { return a.faceWidth() <= 0.25f; }, "narrow face"},
        {{"blue background", "blue backdrop"}, [](A a) { return hueDistance(a.backgroundHue(), 0.62) <= 0.05; },
         "blue background"},
        {{"yellow background", "yellow backdrop"}, [](A a) { return hueDistance(a.backgroundHue(), 1.0 / 6) <= 0.05; },
         "yellow background"},
    };
    return c;
}

std::set<std::string> wordsOf(const std::string& text)
{
    std::set<std::string> out;
    std::string w;
    for (char ch : text + " ") {
        if (ch == ' ' || ch == ',') {
            if (!w.empty())
                out.insert(w);
            w.clear();
        } else {
            w += ch;
        }
    }
    return out;
}

} // namespace

class TestSynthfaceCaptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldGiveSameCaptions_whenSameSeed()
    {
        const Attributes a = sampleAttributes(5);
        QCOMPARE(captions(a, 99, 8), captions(a, 99, 8));
        QVERIFY(captions(a, 99, 8) != captions(a, 100, 8));
        QCOMPARE(faceCaptions(5, a, 3), faceCaptions(5, a, 3));
        QVERIFY(captions(a, 1, 0).empty());
        QVERIFY_THROWS_EXCEPTION(pae::Error, captions(a, 1, -1));
    }

    void shouldMentionOnlyWhatIsPresent()
    {
        int checked = 0;
        for (uint64_t seed = 0; seed < 3000; ++seed) {
            const Attributes a = sampleAttributes(seed);
            for (const std::string& c : faceCaptions(seed, a, 3)) {
                const QString p = padded(c);
                for (const Claim& claim : claims())
                    for (const char* phrase : claim.phrases)
                        if (says(p, phrase)) {
                            ++checked;
                            QVERIFY2(claim.holds(a), qPrintable(QString("seed %1: \"%2\" says '%3' (%4) but the face "
                                                                        "does not show it")
                                                                    .arg(seed)
                                                                    .arg(QString::fromStdString(c))
                                                                    .arg(phrase)
                                                                    .arg(claim.what)));
                        }
            }
        }
        QVERIFY(checked > 9000); // the captions do name things, so the check above bit
    }

    void shouldNameClearAttributes_inSomeCaption_data()
    {
        QTest::addColumn<int>("attr");
        QTest::addColumn<float>("value");
        QTest::addColumn<QStringList>("phrases");
        QTest::newRow("happy") << int(Attr::Smile) << 1.f << QStringList{"happy", "smiling", "joyful", "cheerful"};
        QTest::newRow("sad") << int(Attr::Smile) << -1.f << QStringList{"sad", "unhappy", "gloomy"};
        QTest::newRow("glasses") << int(Attr::Glasses) << 1.f << QStringList{"glasses", "eyeglasses", "spectacles"};
        QTest::newRow("beard") << int(Attr::Beard) << 1.f << QStringList{"beard", "bearded"};
        QTest::newRow("bald") << int(Attr::Bald) << 1.f << QStringList{"bald", "shaved"};
        QTest::newRow("big eyes") << int(Attr::EyeSize) << 1.f << QStringList{"big eyes", "large eyes", "huge eyes"};
        QTest::newRow("long hair") << int(Attr::HairLength) << 1.f << QStringList{"long", "flowing"};
    }
    void shouldNameClearAttributes_inSomeCaption()
    {
        QFETCH(int, attr);
        QFETCH(float, value);
        QFETCH(QStringList, phrases);
        Attributes a;
        a.set(Attr(attr), value);
        QSet<QString> used;
        for (const std::string& c : captions(a, 7, 60)) {
            const QString p = padded(c);
            for (const QString& ph : phrases)
                if (says(p, qPrintable(ph)))
                    used.insert(ph);
        }
        // Named often, and with more than one of its synonyms.
        QVERIFY2(used.size() >= 2, qPrintable(QStringList(used.values()).join(",")));
    }

    void shouldVaryWordingAndOrder_acrossSeeds()
    {
        Attributes a;
        a.set(Attr::Smile, 1.f);
        a.set(Attr::Glasses, 1.f);
        a.set(Attr::EyeSize, 1.f);
        std::set<std::string> distinct;
        std::set<int> glassesFirst;
        for (uint64_t seed = 0; seed < 200; ++seed) {
            const std::string c = captions(a, seed, 1).front();
            distinct.insert(c);
            const QString q = QString::fromStdString(c);
            const int g = q.indexOf("glasses"), e = q.indexOf("eyes");
            if (g >= 0 && e >= 0)
                glassesFirst.insert(g < e ? 1 : 0);
        }
        QVERIFY(distinct.size() > 120);
        QCOMPARE(glassesFirst.size(), size_t(2));
    }

    void shouldNeverUseNegations()
    {
        for (uint64_t seed = 0; seed < 2000; ++seed)
            for (const std::string& c : faceCaptions(seed, sampleAttributes(seed), 2)) {
                const QString p = padded(c);
                for (const char* neg : {"not", "no", "without", "never", "nor"})
                    QVERIFY2(!says(p, neg), c.c_str());
                QVERIFY2(!p.contains("n't"), c.c_str());
            }
    }

    void shouldUseArticlesAndSpacingCorrectly()
    {
        const QRegularExpression badA("(^| )a [aeiou]"), badAn("(^| )an [^aeiou]");
        for (uint64_t seed = 0; seed < 2000; ++seed)
            for (const std::string& c : faceCaptions(seed, sampleAttributes(seed), 2)) {
                const QString q = QString::fromStdString(c);
                QVERIFY2(!badA.match(q).hasMatch() && !badAn.match(q).hasMatch(), c.c_str());
                QVERIFY2(!q.contains("  ") && !q.startsWith(' ') && !q.endsWith(' ') && !q.contains(" ,"), c.c_str());
                QVERIFY2(q == q.toLower(), c.c_str());
            }
    }

    void shouldOnlyEmitVocabularyWords()
    {
        const std::vector<std::string>& vocab = captionVocabulary();
        QVERIFY(std::is_sorted(vocab.begin(), vocab.end()));
        const std::set<std::string> known(vocab.begin(), vocab.end());
        QCOMPARE(known.size(), vocab.size());
        for (const char* w : {"happy", "blonde", "glasses", "beard", "bald", "curly", "eyes", "mouth", "background"})
            QVERIFY2(known.count(w), w);
        std::set<std::string> seen;
        for (uint64_t seed = 0; seed < 4000; ++seed)
            for (const std::string& c : faceCaptions(seed, sampleAttributes(seed), 3))
                for (const std::string& w : wordsOf(c)) {
                    QVERIFY2(known.count(w), qPrintable(QString("'%1' in \"%2\"").arg(w.c_str(), c.c_str())));
                    seen.insert(w);
                }
        // Nearly all of the vocabulary shows up: it lists no words the grammar never says.
        QVERIFY2(seen.size() * 10 >= known.size() * 9,
                 qPrintable(QString("%1 of %2 words seen").arg(seen.size()).arg(known.size())));
    }

    void shouldHoldOneEmotionAtMost()
    {
        for (uint64_t seed = 0; seed < 3000; ++seed) {
            int emotions = 0;
            for (Concept c : presentConcepts(sampleAttributes(seed)))
                emotions += int(c) <= int(Concept::Neutral);
            QVERIFY(emotions <= 1);
        }
        QCOMPARE(presentConcepts(Attributes()).front(), Concept::Neutral);
        std::set<std::string> names;
        for (int i = 0; i < kConceptCount; ++i)
            names.insert(conceptName(Concept(i)));
        QCOMPARE(names.size(), size_t(kConceptCount));
    }

    // Every emotion word has faces: the sampler's prototypes reach each region.
    void shouldSampleEveryEmotion()
    {
        std::map<int, int> counts;
        for (uint64_t seed = 0; seed < 3000; ++seed)
            for (Concept c : presentConcepts(sampleAttributes(seed)))
                counts[int(c)]++;
        for (int e = 0; e <= int(Concept::Neutral); ++e)
            QVERIFY2(counts[e] > 60, conceptName(Concept(e)));
    }

    void shouldWriteCorporaInTheGrammarsWords()
    {
        const QDir dir(QString(PAE_SOURCE_DIR) + "/prompts/synthface");
        const std::vector<std::string>& vocab = captionVocabulary();
        const std::set<std::string> known(vocab.begin(), vocab.end());
        for (const CorpusAttributes& c : corpusAttributeMap()) {
            QFile f(dir.filePath(QString(c.corpus) + ".txt"));
            QVERIFY2(f.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(f.fileName()));
            QString tmpl = "{}";
            int prompts = 0;
            for (const QString& raw : QString::fromUtf8(f.readAll()).split('\n')) {
                const QString line = raw.trimmed();
                if (line.startsWith("# template:")) {
                    tmpl = line.mid(QString("# template:").size()).trimmed();
                    QVERIFY(tmpl.contains("{}"));
                    continue;
                }
                if (line.isEmpty() || line.startsWith('#'))
                    continue;
                ++prompts;
                const std::string prompt = QString(tmpl).replace("{}", line).toStdString();
                for (const std::string& w : wordsOf(prompt))
                    QVERIFY2(known.count(w), qPrintable(QString("%1: '%2' in \"%3\"")
                                                            .arg(f.fileName(), w.c_str(), prompt.c_str())));
            }
            QVERIFY2(prompts >= 6, c.corpus);
        }
    }
};

QTEST_GUILESS_MAIN(TestSynthfaceCaptions)
#include "tst_synthface_captions.moc"
