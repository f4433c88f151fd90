// The wrong-corpus warning on the built-in models: in every corpus its own prompts do not
// warn, and unrelated prompts, nonsense and the prompts of other corpora do; `pae-cli
// analyze --json` prints the same reading.
#include "TestSupport.h"
#include "core/edit/model_set.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <map>
#include <set>

namespace {

// Prompts that each built-in corpus is about (the benchmark's probes and a few more).
const std::map<std::string, std::vector<std::string>>& ownPrompts()
{
    static const std::map<std::string, std::vector<std::string>> prompts{
        {"emotion", {"a happy face", "a sad face", "an angry face", "a surprised face", "a smiling face",
                     "a very happy face"}},
        {"hairstyle", {"a person with long hair", "a person with curly hair", "a bald person", "a man with long hair",
                       "long hair"}},
        {"hair-colour", {"a person with blonde hair", "a person with black hair", "a woman with blonde hair"}},
        {"eyes", {"a face with big eyes", "a face with small eyes", "a person with big eyes"}},
        {"mouth", {"a face with a wide mouth", "a face with a narrow mouth", "a wide mouth"}},
        {"glasses", {"a person wearing glasses", "a woman with glasses"}},
        {"beard", {"a man with a beard", "a bearded man"}},
    };
    return prompts;
}

} // namespace

class TestAnalyze : public QObject {
    Q_OBJECT
    QTemporaryDir m_cache;
    std::shared_ptr<pae::ModelSet> m_models;

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
        m_models = pae::ModelSet::load(pae::ModelPaths{});
    }

    void shouldWarnOnlyForPromptsOfAnotherCorpus()
    {
        QStringList wrong;
        int checked = 0;
        for (const auto& [corpus, own] : ownPrompts()) {
            for (const std::string& prompt : own) {
                const pae::PromptAnalysis a = m_models->analyzePrompt(prompt, corpus, pae::BasisKind::Pca, 10);
                ++checked;
                if (a.warn)
                    wrong << QString("%1 in %2 warns: %3").arg(prompt.c_str(), corpus.c_str(), a.warning.c_str());
            }
            // The two the issue names (in the unrelated bank), and three it does not hold.
            std::vector<std::string> foreign{"a red sports car", "zzzz", "a green truck on a road", "xxxx yyyy",
                                             "the train is late again"};
            for (const auto& [other, prompts] : ownPrompts())
                if (other != corpus)
                    foreign.insert(foreign.end(), prompts.begin(), prompts.end());
            for (const std::string& prompt : foreign) {
                const pae::PromptAnalysis a = m_models->analyzePrompt(prompt, corpus, pae::BasisKind::Pca, 10);
                ++checked;
                if (!a.warn)
                    wrong << QString("%1 in %2 does not warn (nearest %3 at %4, unrelated %5)")
                                 .arg(prompt.c_str(), corpus.c_str(), a.nearestPrompt.c_str())
                                 .arg(double(a.corpusSimilarity), 0, 'f', 3)
                                 .arg(double(a.unrelatedSimilarity), 0, 'f', 3);
            }
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(QString("%1 of %2 readings wrong:\n").arg(wrong.size()).arg(checked) +
                                             wrong.join('\n')));
    }

    void shouldShowNoReading_forAnEmptyPrompt()
    {
        const pae::PromptAnalysis a = m_models->analyzePrompt("  ", "hairstyle", pae::BasisKind::Pca, 10);
        QVERIFY(!a.hasReading);
        QVERIFY(!a.warn);
        QVERIFY(a.warning.empty());
        QVERIFY(!a.corpusPrompts.empty());
    }

    void shouldPrintTheSameReading_fromTheCommandLine()
    {
        using pae::test::runCli;
        const auto r = runCli({"analyze", "--prompt", "a red sports car", "--corpus", "hairstyle", "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(j.at("warn").get<bool>());
        QVERIFY(j.at("message").get<std::string>().find("hairstyle") != std::string::npos);
        const pae::PromptAnalysis a = m_models->analyzePrompt("a red sports car", "hairstyle", pae::BasisKind::Pca, 10);
        QCOMPARE(j.at("corpus_similarity").get<float>(), a.corpusSimilarity);
        const auto bald = runCli({"analyze", "--prompt", "a bald person", "--corpus", "hairstyle", "--json"});
        QCOMPARE(bald.exitCode, 0);
        QVERIFY(!nlohmann::json::parse(bald.out.toStdString()).at("warn").get<bool>());
        QCOMPARE(runCli({"analyze", "--prompt", "a bald person", "--corpus", "no-such-corpus"}).exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(TestAnalyze)
#include "tst_analyze.moc"
