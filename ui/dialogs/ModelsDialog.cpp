#include "ui/dialogs/ModelsDialog.h"

#include "ui/SettingsKeys.h"
#include "ui/dialogs/FileDialogs.h"
#include "ui/jobs/ModelLoader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

namespace pae::ui {

ModelsDialog::ModelsDialog(const pae::ModelPaths& current, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Models"));
    m_builtin = new QCheckBox(tr("Use the built-in SynthFace models"), this);
    m_builtin->setToolTip(tr("The small models that ship with PAE Studio: stylized faces, fast on any CPU."));
    m_clip = new QLineEdit(this);
    m_clip->setPlaceholderText(tr("folder with config.json, model.safetensors, vocab.json, merges.txt"));
    m_clip->setToolTip(tr("A Hugging Face CLIP folder, e.g. openai/clip-vit-base-patch32."));
    m_browseClip = new QPushButton(tr("Browse…"), this);
    m_browseClip->setToolTip(tr("Choose the CLIP model folder"));
    m_generator = new QLineEdit(this);
    m_generator->setPlaceholderText(tr("stylegan2-ffhq-config-f.pt or .safetensors"));
    m_generator->setToolTip(tr("A StyleGAN2 checkpoint in the rosinality PyTorch layout (g_ema, latent_avg)."));
    m_browseGenerator = new QPushButton(tr("Browse…"), this);
    m_browseGenerator->setToolTip(tr("Choose the StyleGAN2 checkpoint"));
    m_identity = new QLineEdit(this);
    m_identity->setObjectName(QStringLiteral("identityFile"));
    m_identity->setPlaceholderText(tr("optional: model_ir_se50.pth (the built-in world brings its own)"));
    m_identity->setToolTip(tr("ArcFace IR-SE50 (InsightFace_Pytorch's model_ir_se50.pth, the file StyleCLIP, pSp "
                              "and e4e use). Enables the identity weight, which keeps the person while editing, "
                              "and reports how alike each result stays."));
    auto* browseIdentity = new QPushButton(tr("Browse…"), this);
    browseIdentity->setToolTip(tr("Choose the ArcFace identity network"));
    m_encoder = new QLineEdit(this);
    m_encoder->setObjectName(QStringLiteral("encoderFile"));
    m_encoder->setPlaceholderText(tr("optional: e4e_ffhq_encode.pt (the built-in world brings its own)"));
    m_encoder->setToolTip(tr("An e4e encoder (encoder4editing's e4e_ffhq_encode.pt) for this generator: opening a "
                             "photo then finds its latent in one pass instead of minutes of optimization."));
    auto* browseEncoder = new QPushButton(tr("Browse…"), this);
    browseEncoder->setToolTip(tr("Choose the e4e encoder"));
    m_device = new QComboBox(this);
    m_device->addItem(tr("Automatic"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    m_device->setToolTip(tr("Where the models run. Automatic picks a CUDA GPU when there is one."));
    m_threads = new QSpinBox(this);
    m_threads->setRange(0, QThread::idealThreadCount() * 2);
    m_threads->setSpecialValueText(tr("Default"));
    m_threads->setToolTip(tr("CPU threads for the models; Default lets LibTorch decide."));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setMinimumHeight(48);
    m_status->setToolTip(tr("The result of loading these models."));
    auto* validateButton = new QPushButton(tr("Check"), this);
    validateButton->setToolTip(tr("Load the models again to check them"));
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->addButton(validateButton, QDialogButtonBox::ActionRole);

    auto pathRow = [this](QLineEdit* edit, QPushButton* button) {
        auto* row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(button);
        return row;
    };
    auto* form = new QFormLayout;
    form->addRow(m_builtin);
    form->addRow(tr("CLIP folder"), pathRow(m_clip, m_browseClip));
    form->addRow(tr("StyleGAN2 file"), pathRow(m_generator, m_browseGenerator));
    form->addRow(tr("Identity (ArcFace)"), pathRow(m_identity, browseIdentity));
    form->addRow(tr("Encoder (e4e)"), pathRow(m_encoder, browseEncoder));
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("Threads"), m_threads);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);
    resize(620, sizeHint().height());

    m_loader = new ModelLoader(this);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(400);
    connect(m_debounce, &QTimer::timeout, this, &ModelsDialog::validate);
    connect(m_loader, &ModelLoader::loaded, this, [this](std::shared_ptr<pae::ModelSet> models) {
        m_models = std::move(models);
        const pae::ModelInfo info = m_models->info();
        QString text =
            tr("✔ Loaded. CLIP: %1\nGenerator: %2 (%3×%3) on %4")
                .arg(QString::fromStdString(info.clipDescription), QString::fromStdString(info.generatorDescription))
                .arg(info.resolution)
                .arg(QString::fromStdString(info.device));
        if (!info.identityDescription.empty())
            text += tr("\nIdentity: %1").arg(QString::fromStdString(info.identityDescription));
        if (!info.encoderDescription.empty())
            text += tr("\nEncoder: %1").arg(QString::fromStdString(info.encoderDescription));
        showStatus(text, false);
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
    });
    connect(m_loader, &ModelLoader::failed, this, [this](const QString& message) {
        m_models.reset();
        showStatus(tr("✘ %1").arg(message), true);
    });
    connect(m_builtin, &QCheckBox::toggled, this, &ModelsDialog::fieldsChanged);
    connect(m_clip, &QLineEdit::textChanged, this, &ModelsDialog::fieldsChanged);
    connect(m_generator, &QLineEdit::textChanged, this, &ModelsDialog::fieldsChanged);
    connect(m_identity, &QLineEdit::textChanged, this, &ModelsDialog::fieldsChanged);
    connect(m_encoder, &QLineEdit::textChanged, this, &ModelsDialog::fieldsChanged);
    connect(m_device, qOverload<int>(&QComboBox::currentIndexChanged), this, &ModelsDialog::fieldsChanged);
    connect(m_threads, qOverload<int>(&QSpinBox::valueChanged), this, &ModelsDialog::fieldsChanged);
    connect(validateButton, &QPushButton::clicked, this, &ModelsDialog::validate);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ModelsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ModelsDialog::reject);
    connect(m_browseClip, &QPushButton::clicked, this, [this] {
        const QString dir = m_clip->text().isEmpty()
                                ? FileDialogs::folder(this, FileDialogs::Kind::Model, tr("CLIP model folder"))
                                : QFileDialog::getExistingDirectory(this, tr("CLIP model folder"), m_clip->text());
        if (!dir.isEmpty())
            m_clip->setText(dir);
    });
    connect(m_browseGenerator, &QPushButton::clicked, this, [this] {
        const QString filter = tr("Checkpoints (*.pt *.pth *.safetensors);;All files (*)");
        const QString file =
            m_generator->text().isEmpty()
                ? FileDialogs::openFile(this, FileDialogs::Kind::Model, tr("StyleGAN2 checkpoint"), filter)
                : QFileDialog::getOpenFileName(this, tr("StyleGAN2 checkpoint"), m_generator->text(), filter);
        if (!file.isEmpty())
            m_generator->setText(file);
    });
    auto browseFile = [this](QLineEdit* edit, const QString& title) {
        const QString filter = tr("Checkpoints (*.pt *.pth *.safetensors);;All files (*)");
        const QString file = edit->text().isEmpty()
                                 ? FileDialogs::openFile(this, FileDialogs::Kind::Model, title, filter)
                                 : QFileDialog::getOpenFileName(this, title, edit->text(), filter);
        if (!file.isEmpty())
            edit->setText(file);
    };
    connect(browseIdentity, &QPushButton::clicked, this,
            [this, browseFile] { browseFile(m_identity, tr("ArcFace identity network")); });
    connect(browseEncoder, &QPushButton::clicked, this,
            [this, browseFile] { browseFile(m_encoder, tr("e4e encoder")); });
    setPaths(current);
    validate();
}

pae::ModelPaths ModelsDialog::paths() const
{
    pae::ModelPaths p;
    if (!m_builtin->isChecked()) {
        p.clipDir = m_clip->text().trimmed().toStdString();
        p.generatorFile = m_generator->text().trimmed().toStdString();
    }
    p.identityFile = m_identity->text().trimmed().toStdString();
    p.encoderFile = m_encoder->text().trimmed().toStdString();
    p.device = m_device->currentData().toString().toStdString();
    p.threads = m_threads->value();
    return p;
}

void ModelsDialog::setPaths(const pae::ModelPaths& paths)
{
    const bool builtin = paths.clipDir.empty() && paths.generatorFile.empty();
    m_builtin->setChecked(builtin);
    if (!builtin) {
        m_clip->setText(QString::fromStdString(paths.clipDir.string()));
        m_generator->setText(QString::fromStdString(paths.generatorFile.string()));
    }
    m_identity->setText(QString::fromStdString(paths.identityFile.string()));
    m_encoder->setText(QString::fromStdString(paths.encoderFile.string()));
    const int device = m_device->findData(QString::fromStdString(paths.device));
    m_device->setCurrentIndex(device < 0 ? 0 : device);
    m_threads->setValue(paths.threads);
    fieldsChanged();
}

void ModelsDialog::fieldsChanged()
{
    const bool custom = !m_builtin->isChecked();
    for (QWidget* w : {static_cast<QWidget*>(m_clip), static_cast<QWidget*>(m_generator),
                       static_cast<QWidget*>(m_browseClip), static_cast<QWidget*>(m_browseGenerator)})
        w->setEnabled(custom);
    m_models.reset();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_debounce->start();
}

void ModelsDialog::validate()
{
    m_debounce->stop();
    const pae::ModelPaths p = paths();
    if (!m_builtin->isChecked() && (p.clipDir.empty() || p.generatorFile.empty())) {
        showStatus(tr("Choose both a CLIP folder and a StyleGAN2 file, or use the built-in models."), true);
        return;
    }
    showStatus(tr("Loading the models to check them…"), false);
    m_loader->load(p);
}

void ModelsDialog::showStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("QLabel { color: #b00020; }") : QString());
    // A longer message (an identity network and an encoder add two lines) grows the dialog
    // rather than being cut off at its bottom edge.
    if (layout()) {
        layout()->activate();
        if (height() < sizeHint().height())
            resize(width(), sizeHint().height());
    }
}

QString ModelsDialog::statusText() const { return m_status->text(); }

bool ModelsDialog::isValidating() const { return m_loader->isLoading() || m_debounce->isActive(); }

bool ModelsDialog::isAcceptable() const { return m_models != nullptr; }

void ModelsDialog::accept()
{
    if (!m_models)
        return;
    savePaths(paths());
    QDialog::accept();
}

pae::ModelPaths ModelsDialog::savedPaths()
{
    QSettings s;
    pae::ModelPaths p;
    p.clipDir = s.value(settings::kClipDir).toString().toStdString();
    p.generatorFile = s.value(settings::kGeneratorFile).toString().toStdString();
    p.identityFile = s.value(settings::kIdentityFile).toString().toStdString();
    p.encoderFile = s.value(settings::kEncoderFile).toString().toStdString();
    p.device = s.value(settings::kDevice, QStringLiteral("auto")).toString().toStdString();
    p.threads = s.value(settings::kThreads, 0).toInt();
    return p;
}

void ModelsDialog::savePaths(const pae::ModelPaths& paths)
{
    QSettings s;
    s.setValue(settings::kClipDir, QString::fromStdString(paths.clipDir.string()));
    s.setValue(settings::kGeneratorFile, QString::fromStdString(paths.generatorFile.string()));
    s.setValue(settings::kIdentityFile, QString::fromStdString(paths.identityFile.string()));
    s.setValue(settings::kEncoderFile, QString::fromStdString(paths.encoderFile.string()));
    s.setValue(settings::kDevice, QString::fromStdString(paths.device));
    s.setValue(settings::kThreads, paths.threads);
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_ModelsDialog.cpp"
