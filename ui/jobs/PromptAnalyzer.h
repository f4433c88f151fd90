#pragma once
// Asks the engine what a corpus subspace says about a prompt, off the GUI thread: the first
// analysis of a corpus embeds every prompt in it, seconds with a real CLIP. The newest
// query wins (LatestRunner): one runs at a time, and only the newest one's answer arrives.
#include "core/edit/model_set.h"

#include <QObject>

#include <memory>

namespace pae::ui {

class LatestRunner;

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
    ~PromptAnalyzer() override;

    void analyze(std::shared_ptr<const pae::ModelSet> models, const Query& query);
    bool isBusy() const;

Q_SIGNALS:
    void analyzed(const pae::PromptAnalysis& analysis);
    void failed(const QString& message);

private:
    LatestRunner* m_runner = nullptr;
};

} // namespace pae::ui
