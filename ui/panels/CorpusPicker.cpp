#include "ui/panels/CorpusPicker.h"

#include "ui/dialogs/FileDialogs.h"

#include "core/pae/corpus.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace pae::ui {

CorpusPicker::CorpusPicker(QWidget* parent) : QWidget(parent)
{
    m_combo = new QComboBox(this);
    m_combo->setToolTip(tr("The corpus the edit belongs to. Its prompts span the subspace that PAE+ edits in:\n"
                           "pick “emotion” for smiles and frowns, “hair” for hairstyles, and so on."));
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(12);
    m_add = new QPushButton(tr("Add…"), this);
    m_add->setToolTip(tr("Add your own corpus: a UTF-8 text file with one prompt per line, # for comments."));
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setToolTip(tr("Remove the selected user corpus from the list (the file is not deleted)."));
    m_basis = new QComboBox(this);
    m_basis->addItem(tr("PCA"), int(pae::BasisKind::Pca));
    m_basis->addItem(tr("Gram–Schmidt"), int(pae::BasisKind::GramSchmidt));
    m_basis->setToolTip(tr("How the corpus becomes a basis: PCA keeps the top-k principal axes of the corpus\n"
                           "embeddings; Gram–Schmidt orthonormalizes the corpus prompts themselves."));
    m_k = new QSpinBox(this);
    m_k->setRange(1, 64);
    m_k->setValue(10);
    m_k->setPrefix(tr("k = "));
    m_k->setToolTip(tr("Number of principal components kept by PCA."));
    m_basisLabel = new QLabel(this);
    m_basisLabel->setWordWrap(true);
    m_basisLabel->setToolTip(tr("The basis the engine built from this corpus."));
    m_warning = new QLabel(this);
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("QLabel { color: #b00020; font-weight: bold; }"));
    m_warning->setToolTip(tr("The prompt has (almost) no component in this corpus' subspace: PAE+ cannot edit\n"
                             "along it. Pick the corpus the prompt belongs to."));
    m_warning->hide();
    m_prompts = new QListWidget(this);
    m_prompts->setToolTip(tr("The prompts of the selected corpus, as the engine reads them (after the template).\n"
                             "Double-click one to use it as the prompt."));
    m_prompts->setAlternatingRowColors(true);
    m_prompts->setObjectName(QStringLiteral("corpusPrompts"));

    auto* row = new QHBoxLayout;
    row->addWidget(m_combo, 1);
    row->addWidget(m_add);
    row->addWidget(m_remove);
    auto* basisRow = new QHBoxLayout;
    basisRow->addWidget(new QLabel(tr("Basis"), this));
    basisRow->addWidget(m_basis, 1);
    basisRow->addWidget(m_k);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addLayout(basisRow);
    layout->addWidget(m_basisLabel);
    layout->addWidget(m_warning);
    layout->addWidget(m_prompts, 1);

    connect(m_combo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_remove->setEnabled(m_user.contains(currentCorpus()));
        showCorpusFile();
        Q_EMIT selectionChanged();
    });
    connect(m_basis, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_k->setEnabled(basis() == pae::BasisKind::Pca);
        Q_EMIT selectionChanged();
    });
    connect(m_k, qOverload<int>(&QSpinBox::valueChanged), this, &CorpusPicker::selectionChanged);
    connect(m_add, &QPushButton::clicked, this, [this] {
        const QString path = FileDialogs::openFile(this, FileDialogs::Kind::Corpus, tr("Add corpus"),
                                                   tr("Corpus files (*.txt);;All files (*)"));
        if (path.isEmpty())
            return;
        QString error;
        if (addUserCorpus(path, &error))
            setCurrentCorpus(QFileInfo(path).absoluteFilePath());
        else
            showWarning(error);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] { removeUserCorpus(currentCorpus()); });
    connect(m_prompts, &QListWidget::itemDoubleClicked, this,
            [this](QListWidgetItem* item) { Q_EMIT promptActivated(item->text()); });
    m_remove->setEnabled(false);
}

namespace {
// The file's stem, as core names corpora: "emotion" for ".../prompts/emotion.txt".
QString displayName(const QString& path) { return QFileInfo(path).completeBaseName(); }
} // namespace

void CorpusPicker::setCorpusRoot(const QString& dir)
{
    const QString keep = currentCorpus();
    m_root = dir;
    m_builtin.clear();
    for (const std::string& name : pae::listCorpora(dir.toStdString()))
        m_builtin << QDir(dir).absoluteFilePath(QString::fromStdString(name) + QStringLiteral(".txt"));
    rebuildCombo(keep);
}

void CorpusPicker::setUserCorpora(const QStringList& paths)
{
    const QString keep = currentCorpus();
    m_user.clear();
    for (const QString& p : paths)
        if (!p.isEmpty() && !m_user.contains(p))
            m_user << p;
    rebuildCombo(keep);
}

bool CorpusPicker::addUserCorpus(const QString& path, QString* error)
{
    const QFileInfo info(path);
    try {
        pae::loadCorpus(info.absoluteFilePath().toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
    const QString abs = info.absoluteFilePath();
    if (!m_user.contains(abs) && !m_builtin.contains(abs)) {
        m_user << abs;
        rebuildCombo(currentCorpus());
        Q_EMIT userCorporaChanged(m_user);
    }
    return true;
}

void CorpusPicker::removeUserCorpus(const QString& path)
{
    if (!m_user.removeAll(path))
        return;
    rebuildCombo(currentCorpus());
    Q_EMIT userCorporaChanged(m_user);
}

void CorpusPicker::rebuildCombo(const QString& keep)
{
    {
        const QSignalBlocker block(m_combo);
        m_combo->clear();
        for (const QString& p : m_builtin) {
            m_combo->addItem(displayName(p), p);
            m_combo->setItemData(m_combo->count() - 1, p, Qt::ToolTipRole);
        }
        if (!m_user.isEmpty() && !m_builtin.isEmpty())
            m_combo->insertSeparator(m_combo->count());
        for (const QString& p : m_user) {
            m_combo->addItem(tr("%1 (yours)").arg(displayName(p)), p);
            m_combo->setItemData(m_combo->count() - 1, p, Qt::ToolTipRole);
        }
        int index = m_combo->findData(keep);
        if (index < 0) {
            // "emotion" is what most first edits are about; fall back to the first corpus.
            index = 0;
            for (int i = 0; i < m_combo->count(); ++i)
                if (displayName(m_combo->itemData(i).toString()) == QLatin1String("emotion"))
                    index = i;
        }
        m_combo->setCurrentIndex(m_combo->count() ? index : -1);
    }
    m_remove->setEnabled(m_user.contains(currentCorpus()));
    if (m_combo->count() == 0) {
        m_prompts->clear();
        showWarning(tr("No corpus found in %1. Add a corpus file.").arg(m_root));
    } else {
        showCorpusFile();
    }
    Q_EMIT selectionChanged();
}

void CorpusPicker::showCorpusFile()
{
    // Reading a corpus file is cheap and needs no models: its prompts (and any error in it)
    // show at once, before the engine's analysis of the subspace arrives.
    m_prompts->clear();
    m_basisLabel->clear();
    const QString path = currentCorpus();
    if (path.isEmpty())
        return;
    try {
        for (const std::string& p : pae::loadCorpus(path.toStdString()).templatedPrompts())
            m_prompts->addItem(QString::fromStdString(p));
        showWarning(QString());
    } catch (const std::exception& e) {
        showWarning(QString::fromUtf8(e.what()));
    }
}

QString CorpusPicker::currentCorpus() const { return m_combo->currentData().toString(); }

bool CorpusPicker::setCurrentCorpus(const QString& path)
{
    const int index = m_combo->findData(path);
    if (index < 0)
        return false;
    m_combo->setCurrentIndex(index);
    return true;
}

pae::BasisKind CorpusPicker::basis() const { return pae::BasisKind(m_basis->currentData().toInt()); }

int CorpusPicker::pcaComponents() const { return m_k->value(); }

void CorpusPicker::setBasis(pae::BasisKind basis, int pcaComponents)
{
    m_basis->setCurrentIndex(m_basis->findData(int(basis)));
    m_k->setValue(pcaComponents);
}

void CorpusPicker::setAnalysis(const pae::PromptAnalysis& analysis)
{
    m_prompts->clear();
    for (const std::string& p : analysis.corpusPrompts)
        m_prompts->addItem(QString::fromStdString(p));
    QString basisText = QString::fromStdString(analysis.basisDescription);
    // No prompt, no reading; else the prompt's fit against what unrelated prompts reach.
    if (analysis.hasReading)
        basisText += tr(" · nearest prompt %1 (unrelated %2)")
                         .arg(double(analysis.corpusSimilarity), 0, 'f', 3)
                         .arg(double(analysis.unrelatedSimilarity), 0, 'f', 3);
    m_basisLabel->setText(basisText);
    if (!analysis.warn)
        showWarning(QString());
    else
        showWarning(analysis.warning.empty() ? tr("This prompt does not belong to the corpus; pick another corpus.")
                                             : QString::fromStdString(analysis.warning));
}

void CorpusPicker::setAnalysisError(const QString& message)
{
    m_prompts->clear();
    m_basisLabel->clear();
    showWarning(message);
}

void CorpusPicker::setAnalysisPending(const QString& note)
{
    m_basisLabel->setText(note.isEmpty() ? tr("Analyzing…") : note);
}

QStringList CorpusPicker::shownPrompts() const
{
    QStringList out;
    for (int i = 0; i < m_prompts->count(); ++i)
        out << m_prompts->item(i)->text();
    return out;
}

void CorpusPicker::showWarning(const QString& text)
{
    m_warning->setText(text);
    m_warning->setVisible(!text.isEmpty());
}

bool CorpusPicker::isWarningShown() const { return !m_warning->isHidden(); }

QString CorpusPicker::warningText() const { return m_warning->text(); }

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_CorpusPicker.cpp"
