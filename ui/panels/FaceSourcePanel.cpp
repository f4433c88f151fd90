#include "ui/panels/FaceSourcePanel.h"

#include "ui/SettingsKeys.h"
#include "ui/dialogs/FileDialogs.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace pae::ui {

FaceSourcePanel::FaceSourcePanel(QWidget* parent) : QWidget(parent)
{
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setToolTip(tr("Seed of the random face: the same seed always gives the same face."));
    m_seed->setKeyboardTracking(false);
    m_generate = new QPushButton(tr("Show"), this);
    m_generate->setToolTip(tr("Make the face of this seed the starting face (clears the edit history)."));
    m_another = new QPushButton(tr("Another face"), this);
    m_another->setToolTip(tr("A new random face from a random seed (Ctrl+N)."));
    m_openLatent = new QPushButton(tr("Open latent…"), this);
    m_openLatent->setToolTip(tr("Open a W+ latent saved as .safetensors (tensor “w”)."));
    m_openImage = new QPushButton(tr("Open photo…"), this);
    m_openImage->setToolTip(
        tr("Open a photo and invert it into the generator's latent space (GAN inversion),\n"
           "so that it can be edited. With Settings › Align faces in photos (on for real models)\n"
           "its face is found and cropped the FFHQ way first; otherwise frame it like the generator's faces."));
    m_current = new QLabel(this);
    m_current->setWordWrap(true);
    m_current->setToolTip(tr("The face that edits start from."));
    m_notice = new QLabel(tr("<b>Photo.</b> Its face is aligned (Settings › Align faces in photos) and inverted into "
                             "the generator's latent space (GAN inversion), then becomes the face edits start from. "
                             "Without alignment, frame the face like the generator's faces."),
                          this);
    m_notice->setWordWrap(true);
    m_notice->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c060;"
                                           " border-radius: 4px; padding: 6px; }"));
    m_notice->hide();
    m_recent = new QListWidget(this);
    m_recent->setToolTip(tr("Recently opened sessions, latents and photos. Double-click to open again."));
    m_recent->setMaximumHeight(110);

    auto* grid = new QGridLayout;
    grid->addWidget(new QLabel(tr("Seed"), this), 0, 0);
    grid->addWidget(m_seed, 0, 1);
    grid->addWidget(m_generate, 0, 2);
    grid->addWidget(m_another, 1, 0, 1, 3);
    grid->addWidget(m_openLatent, 2, 0, 1, 2);
    grid->addWidget(m_openImage, 2, 2);
    grid->setColumnStretch(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(grid);
    layout->addWidget(m_current);
    layout->addWidget(m_notice);
    layout->addWidget(new QLabel(tr("Recent files"), this));
    layout->addWidget(m_recent);
    layout->addStretch(1);

    connect(m_generate, &QPushButton::clicked, this, [this] { Q_EMIT seedChosen(seed()); });
    connect(m_another, &QPushButton::clicked, this, &FaceSourcePanel::chooseRandomSeed);
    connect(m_openLatent, &QPushButton::clicked, this, &FaceSourcePanel::openLatentDialog);
    connect(m_openImage, &QPushButton::clicked, this, &FaceSourcePanel::openImageDialog);
    connect(m_recent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { openPath(item->data(Qt::UserRole).toString()); });
    reloadRecent();
}

quint64 FaceSourcePanel::seed() const { return quint64(m_seed->value()); }

void FaceSourcePanel::setSeed(quint64 seed) { m_seed->setValue(int(seed % quint64(m_seed->maximum()))); }

void FaceSourcePanel::chooseRandomSeed()
{
    setSeed(QRandomGenerator::global()->bounded(m_seed->maximum()));
    Q_EMIT seedChosen(seed());
}

void FaceSourcePanel::openLatentDialog()
{
    const QString path = FileDialogs::openFile(this, FileDialogs::Kind::Face, tr("Open latent"),
                                               tr("Latents (*.safetensors);;All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

void FaceSourcePanel::openImageDialog()
{
    const QString path = FileDialogs::openFile(this, FileDialogs::Kind::Face, tr("Open photo"),
                                               tr("Images (*.png *.jpg *.jpeg *.webp *.bmp)"));
    if (!path.isEmpty())
        openPath(path);
}

bool FaceSourcePanel::isLatentFile(const QString& path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("safetensors"), Qt::CaseInsensitive) == 0;
}

bool FaceSourcePanel::isSessionFile(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix();
    return suffix.compare(QLatin1String("paesession"), Qt::CaseInsensitive) == 0 ||
           suffix.compare(QLatin1String("json"), Qt::CaseInsensitive) == 0;
}

void FaceSourcePanel::openPath(const QString& path)
{
    if (isSessionFile(path))
        Q_EMIT sessionFileChosen(path);
    else if (isLatentFile(path))
        Q_EMIT latentFileChosen(path);
    else
        Q_EMIT imageFileChosen(path);
}

QStringList FaceSourcePanel::recentFiles() const { return QSettings().value(settings::kRecentFiles).toStringList(); }

void FaceSourcePanel::addRecentFile(const QString& path)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList list = recentFiles();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > maxRecent)
        list.removeLast();
    QSettings().setValue(settings::kRecentFiles, list);
    reloadRecent();
}

void FaceSourcePanel::reloadRecent()
{
    m_recent->clear();
    for (const QString& path : recentFiles()) {
        auto* item = new QListWidgetItem(QFileInfo(path).fileName(), m_recent);
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
    }
}

void FaceSourcePanel::setSourceDescription(const QString& text) { m_current->setText(text); }

void FaceSourcePanel::setReferenceNotice(bool shown) { m_notice->setVisible(shown); }

bool FaceSourcePanel::isReferenceNoticeShown() const { return !m_notice->isHidden(); }

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_FaceSourcePanel.cpp"
