#include "ui/jobs/PromptAnalyzer.h"

#include "ui/jobs/LatestRunner.h"

#include <exception>
#include <optional>

namespace pae::ui {

PromptAnalyzer::PromptAnalyzer(QObject* parent)
    : QObject(parent), m_runner(new LatestRunner(QStringLiteral("prompt-analyzer"), this))
{}

PromptAnalyzer::~PromptAnalyzer() = default;

bool PromptAnalyzer::isBusy() const { return m_runner->isBusy(); }

void PromptAnalyzer::analyze(std::shared_ptr<const pae::ModelSet> models, const Query& query)
{
    m_runner->run([this, models = std::move(models), query]() -> LatestRunner::Deliver {
        std::optional<pae::PromptAnalysis> analysis;
        QString error;
        try {
            analysis = models->analyzePrompt(query.prompt, query.corpus, query.basis, query.pcaComponents);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what()); // the engine's messages are meant for the user
        } catch (...) {
            error = tr("The corpus analysis failed with an unknown error.");
        }
        return [this, analysis, error] {
            if (analysis)
                Q_EMIT analyzed(*analysis);
            else
                Q_EMIT failed(error);
        };
    });
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_PromptAnalyzer.cpp"
