#pragma once
// What the engine says about the prompt as it is typed: the corpus panel's reading (how much
// of the prompt lies in the corpus subspace, the wrong-corpus warning), the prompt's
// completions from the corpus, and the token count against the text encoder's limit. Asks
// 350 ms after the last change, never while an edit has the models, and not again for a
// question whose answer is on screen.
#include "ui/window/Studio.h"

#include <QObject>

class QTimer;

namespace pae {
struct PromptAnalysis;
}

namespace pae::ui {

class EditRuns;
class PromptAnalyzer;

class CorpusAnalysis : public QObject {
    Q_OBJECT
public:
    CorpusAnalysis(Studio studio, EditRuns* runs, QObject* parent = nullptr);

    // Prompt, corpus or basis changed: analyze soon.
    void schedule();
    // Other models: other corpora, another text encoder and its limit.
    void modelsChanged();
    void updateTokenCount();

Q_SIGNALS:
    // The analysis arrived (or failed).
    void analyzed();

private:
    QString key() const;
    void analyze();
    void onAnalyzed(const pae::PromptAnalysis& analysis);

    Studio m_studio;
    EditRuns* m_runs = nullptr;
    PromptAnalyzer* m_analyzer = nullptr;
    QTimer* m_timer = nullptr;
    bool m_deferred = false; // asked while an edit ran: analyze when it is done
    QString m_analyzedKey;   // the question of the analysis on screen (or on its way)
};

} // namespace pae::ui
