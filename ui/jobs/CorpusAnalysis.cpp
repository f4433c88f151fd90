#include "ui/jobs/CorpusAnalysis.h"

#include "ui/jobs/EditRuns.h"
#include "ui/jobs/PromptAnalyzer.h"
#include "ui/panels/CorpusPicker.h"
#include "ui/panels/PromptBox.h"

#include "core/edit/model_set.h"
#include "core/util/log.h"

#include <QLabel>
#include <QTimer>

namespace pae::ui {

CorpusAnalysis::CorpusAnalysis(Studio studio, EditRuns* runs, QObject* parent)
    : QObject(parent), m_studio(std::move(studio)), m_runs(runs), m_analyzer(new PromptAnalyzer(this)),
      m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(350);
    connect(m_timer, &QTimer::timeout, this, &CorpusAnalysis::analyze);
    connect(m_analyzer, &PromptAnalyzer::analyzed, this, &CorpusAnalysis::onAnalyzed);
    connect(m_analyzer, &PromptAnalyzer::failed, this, [this](const QString& message) {
        m_studio.w.corpus->setAnalysisError(message);
        m_analyzedKey.clear(); // ask again next time: the file may be fixed by then
        pae::log::warn("corpus analysis: {}", message.toStdString());
        Q_EMIT analyzed();
    });
    connect(m_runs, &EditRuns::busyChanged, this, [this](bool busy) {
        if (!busy && m_deferred) {
            m_deferred = false;
            schedule();
        }
    });
    connect(m_studio.w.prompt, &QLineEdit::textChanged, this, &CorpusAnalysis::schedule);
    connect(m_studio.w.prompt, &QLineEdit::textChanged, this, &CorpusAnalysis::updateTokenCount);
    connect(m_studio.w.corpus, &CorpusPicker::selectionChanged, this, &CorpusAnalysis::schedule);
}

QString CorpusAnalysis::key() const
{
    const StudioWidgets& w = m_studio.w;
    return QStringLiteral("%1\n%2\n%3\n%4")
        .arg(w.prompt->text().trimmed(), w.corpus->currentCorpus())
        .arg(int(w.corpus->basis()))
        .arg(w.corpus->pcaComponents());
}

void CorpusAnalysis::modelsChanged()
{
    m_analyzedKey.clear();
    updateTokenCount(); // another text encoder, another limit
}

void CorpusAnalysis::updateTokenCount()
{
    QLabel* label = m_studio.w.tokens;
    const QString prompt = m_studio.w.prompt->text().trimmed();
    const std::shared_ptr<pae::ModelSet> models = m_studio.models();
    if (!models || prompt.isEmpty()) {
        label->clear();
        label->setToolTip(tr("Tokens of the prompt against what the text encoder reads"));
        return;
    }
    const pae::PromptTokens t = models->countTokens(prompt.toStdString());
    if (t.fits()) {
        label->setText(tr("%1/%2 tokens").arg(t.tokens).arg(t.limit));
        label->setStyleSheet(QString());
        label->setToolTip(tr("The text encoder reads the whole prompt: %1 of its %2 tokens (start and end included).")
                              .arg(t.tokens)
                              .arg(t.limit));
        return;
    }
    label->setText(tr("%1/%2 tokens: too long").arg(t.tokens).arg(t.limit));
    label->setStyleSheet(QStringLiteral("QLabel { color: #b00020; font-weight: bold; }"));
    label->setToolTip(tr("The text encoder reads %1 tokens; the prompt has %2, so it reads only\n“%3”\nand cuts “%4”.")
                          .arg(t.limit)
                          .arg(t.tokens)
                          .arg(QString::fromStdString(t.read).trimmed(), QString::fromStdString(t.cut).trimmed()));
}

void CorpusAnalysis::schedule()
{
    // The same question again (after an edit, say) has the answer on screen already.
    if (m_studio.models() && !m_studio.w.corpus->currentCorpus().isEmpty() && key() != m_analyzedKey) {
        m_studio.w.corpus->setAnalysisPending();
        m_timer->start();
    }
}

void CorpusAnalysis::analyze()
{
    const StudioWidgets& w = m_studio.w;
    const std::shared_ptr<pae::ModelSet> models = m_studio.models();
    if (!models || w.corpus->currentCorpus().isEmpty())
        return;
    if (m_runs->isBusy()) {
        // The job has the CPU (and the models); analyze when it is done.
        m_deferred = true;
        w.corpus->setAnalysisPending(tr("The analysis waits for the running edit."));
        return;
    }
    m_analyzedKey = key();
    // An empty prompt still shows the corpus and its basis; the subspace check needs a prompt.
    const QString prompt = w.prompt->text().trimmed().isEmpty() ? tr("a face") : w.prompt->text().trimmed();
    m_analyzer->analyze(models, {prompt.toStdString(), w.corpus->currentCorpus().toStdString(), w.corpus->basis(),
                                 w.corpus->pcaComponents()});
}

void CorpusAnalysis::onAnalyzed(const pae::PromptAnalysis& a)
{
    m_studio.w.corpus->setAnalysis(a);
    QStringList prompts;
    for (const std::string& p : a.corpusPrompts)
        prompts << QString::fromStdString(p);
    m_studio.w.prompt->setCompletions(prompts);
    Q_EMIT analyzed();
}

} // namespace pae::ui

#include "moc_CorpusAnalysis.cpp"
