// The shipped tiny CLIP (resources/models/synthface/clip) on what a prompt leaves unsaid: a
// prompt silent on glasses or a beard must not prefer faces without them, or every edit
// towards it takes them off. Measured on twins: the same face drawn with and without.
#include "core/models/clip.h"
#include "core/models/clip_preprocess.h"
#include "core/synthface/attributes.h"
#include "core/synthface/renderer.h"
#include "core/synthface/train.h"
#include "core/util/paths.h"

#include <QtTest/QtTest>

#include <torch/torch.h>

#include <optional>

namespace sf = pae::synthface;

class TestSynthfaceClip : public QObject {
    Q_OBJECT
    std::optional<pae::models::Clip> m_clip;

    torch::Tensor unit(const torch::Tensor& x) { return x / x.norm(2, -1, true); }

    torch::Tensor embedImages(const std::vector<sf::Attributes>& faces)
    {
        std::vector<torch::Tensor> pixels;
        for (const sf::Attributes& a : faces)
            pixels.push_back(
                pae::models::clipPreprocessImage(sf::render(a, sf::kTrainImageSize), m_clip->config.vision.imageSize));
        torch::NoGradGuard noGrad;
        return unit(m_clip->model->encodeImage(torch::cat(pixels)));
    }

    torch::Tensor embedTexts(const std::vector<std::string>& texts)
    {
        torch::NoGradGuard noGrad;
        return unit(m_clip->model->encodeText(m_clip->tokenize(texts)));
    }

    // Per prompt: mean cosine to the faces with the feature minus to their twins without it.
    std::vector<double> twinGaps(sf::Attr feature, const std::vector<std::string>& prompts)
    {
        std::vector<sf::Attributes> with, without;
        for (uint64_t seed = 5000; seed < 5120; ++seed) {
            sf::Attributes a = sf::sampleAttributes(seed);
            a.set(feature, 1.f);
            with.push_back(a);
            a.set(feature, 0.f);
            without.push_back(a);
        }
        const torch::Tensor texts = embedTexts(prompts);
        const torch::Tensor gap = (torch::mm(embedImages(with), texts.t()) - torch::mm(embedImages(without), texts.t()))
                                      .mean(0)
                                      .to(torch::kDouble)
                                      .contiguous();
        return std::vector<double>(gap.data_ptr<double>(), gap.data_ptr<double>() + gap.numel());
    }

    void checkSilence(sf::Attr feature, const std::string& present, const std::string& absent,
                      const std::vector<std::string>& silent)
    {
        std::vector<std::string> prompts{present, absent};
        prompts.insert(prompts.end(), silent.begin(), silent.end());
        const std::vector<double> gaps = twinGaps(feature, prompts);
        QString report;
        for (size_t i = 0; i < prompts.size(); ++i)
            report += QString("\n  %1: %2").arg(prompts[i].c_str()).arg(gaps[i], 0, 'f', 4);
        qInfo("%s, cosine with minus without, twins:%s", sf::name(feature), qPrintable(report));
        // The words that name it move the reading a long way, each its own way…
        QVERIFY2(gaps[0] > 0.05 && gaps[1] < -0.05, qPrintable(report));
        // …and silence hardly at all: under a sixth of the named presence, either way.
        for (size_t i = 2; i < prompts.size(); ++i)
            QVERIFY2(std::abs(gaps[i]) < gaps[0] / 6,
                     qPrintable(QString::fromStdString(prompts[i]) + " leans:" + report));
    }

private Q_SLOTS:
    void initTestCase() { m_clip.emplace(pae::models::loadClip(pae::builtinModelsDir() / "clip", torch::kCPU)); }

    void shouldReadAPromptSilentOnGlasses_asEitherWay()
    {
        checkSilence(sf::Attr::Glasses, "a person wearing glasses", "a person without glasses",
                     {"a happy face", "a sad face", "a person", "a person with long hair", "a person with blonde hair",
                      "a face with big eyes", "a bald person", "a man with a beard"});
    }

    void shouldReadAPromptSilentOnBeards_asEitherWay()
    {
        checkSilence(sf::Attr::Beard, "a person with a beard", "a clean shaven person",
                     {"a happy face", "a sad face", "a person", "a person with long hair", "a person with blonde hair",
                      "a face with big eyes", "a bald person", "a person wearing glasses"});
    }
};

QTEST_APPLESS_MAIN(TestSynthfaceClip)
#include "tst_synthface_clip.moc"
