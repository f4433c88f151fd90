#pragma once
// Asks the engine what a corpus subspace says about a prompt, off the GUI thread: the first
// analysis of a corpus embeds every prompt in it, seconds with a real CLIP. One query runs
// at a time; queries that arrive meanwhile collapse into the newest, and only the answer to
// the newest query is reported.
#include "core/edit/model_set.h"

#include <QObject>

#include <memory>
#include <optional>

class QThread;

namespace pae::ui {

class PromptAnalyzer : public QObject {
    Q_OBJECT
public:
    struct Query {
        std::string prompt;
        std::string corpus; // name or path, as EditRequest::corpus
        pae::BasisKind basis = pae::BasisKind::Pca;
        int pcaComponents = 10;
    };

    explicit PromptAnalyzer(QObject* parent = nullptr);
    // Waits for a running query: its thread holds a reference to this object.
    ~PromptAnalyzer() override;

    void analyze(std::shared_ptr<const pae::ModelSet> models, const Query& query);
    bool isBusy() const { return m_thread != nullptr; }

Q_SIGNALS:
    void analyzed(const pae::PromptAnalysis& analysis);
    void failed(const QString& message);

private:
    void launch(std::shared_ptr<const pae::ModelSet> models, const Query& query);

    QThread* m_thread = nullptr;
    std::optional<std::pair<std::shared_ptr<const pae::ModelSet>, Query>> m_next;
};

} // namespace pae::ui
