#pragma once
// Which corpus an edit belongs to (emotion, hair, eyes…), how its subspace is built, and
// what the engine says about the prompt in that subspace.
#include "core/edit/model_set.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace pae::ui {

class CorpusPicker : public QWidget {
    Q_OBJECT
public:
    explicit CorpusPicker(QWidget* parent = nullptr);

    // The folder of built-in corpora for the loaded models (prompts/ or prompts/synthface/).
    void setCorpusRoot(const QString& dir);
    QString corpusRoot() const { return m_root; }
    QStringList builtinCorpora() const { return m_builtin; }
    QStringList userCorpora() const { return m_user; }
    void setUserCorpora(const QStringList& paths);
    // Returns false (and leaves the list alone) when core cannot read the file as a corpus;
    // `error` then says why, naming the file.
    bool addUserCorpus(const QString& path, QString* error = nullptr);
    void removeUserCorpus(const QString& path);

    // Absolute path of the selected corpus file; empty when there is none.
    QString currentCorpus() const;
    bool setCurrentCorpus(const QString& path);
    pae::BasisKind basis() const;
    int pcaComponents() const;
    void setBasis(pae::BasisKind basis, int pcaComponents);

    void setAnalysis(const pae::PromptAnalysis& analysis);
    void setAnalysisError(const QString& message);
    // "Analyzing…", or why the analysis has not started yet.
    void setAnalysisPending(const QString& note = QString());
    QStringList shownPrompts() const;
    bool isWarningShown() const;
    QString warningText() const;

Q_SIGNALS:
    void selectionChanged();
    void userCorporaChanged(const QStringList& paths);
    void promptActivated(const QString& prompt);

private:
    void rebuildCombo(const QString& keep);
    void showCorpusFile();
    void showWarning(const QString& text);

    QString m_root;
    QStringList m_builtin;
    QStringList m_user;
    QComboBox* m_combo = nullptr;
    QPushButton* m_add = nullptr;
    QPushButton* m_remove = nullptr;
    QComboBox* m_basis = nullptr;
    QSpinBox* m_k = nullptr;
    QLabel* m_basisLabel = nullptr;
    QLabel* m_warning = nullptr;
    QListWidget* m_prompts = nullptr;
};

} // namespace pae::ui
