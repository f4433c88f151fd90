#include "ui/PromptAnalyzer.h"

#include <QThread>

#include <exception>

namespace pae::ui {

PromptAnalyzer::PromptAnalyzer(QObject* parent) : QObject(parent) {}

PromptAnalyzer::~PromptAnalyzer()
{
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void PromptAnalyzer::analyze(std::shared_ptr<const pae::ModelSet> models, const Query& query)
{
    if (m_thread)
        m_next.emplace(std::move(models), query);
    else
        launch(std::move(models), query);
}

void PromptAnalyzer::launch(std::shared_ptr<const pae::ModelSet> models, const Query& query)
{
    m_thread = QThread::create([this, models, query] {
        std::optional<pae::PromptAnalysis> analysis;
        QString error;
        try {
            analysis = models->analyzePrompt(query.prompt, query.corpus, query.basis, query.pcaComponents);
        } catch (const std::exception& e) {
            // pae::Error and c10::Error alike: the message is meant for the user.
            error = QString::fromUtf8(e.what());
        } catch (...) {
            error = tr("The corpus analysis failed with an unknown error.");
        }
        QMetaObject::invokeMethod(
            this,
            [this, analysis, error] {
                m_thread->wait();
                delete m_thread;
                m_thread = nullptr;
                if (m_next) {
                    // A newer query is waiting: this answer is already stale.
                    auto next = std::move(*m_next);
                    m_next.reset();
                    launch(std::move(next.first), next.second);
                    return;
                }
                if (analysis)
                    Q_EMIT analyzed(*analysis);
                else
                    Q_EMIT failed(error);
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("prompt-analyzer"));
    m_thread->start();
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_PromptAnalyzer.cpp"
