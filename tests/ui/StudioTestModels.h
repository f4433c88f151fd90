#pragma once
// What the end-to-end GUI tests run on, and how they stay away from the user's files.
#include "core/edit/model_set.h"
#include "core/util/paths.h"

#include <QAbstractButton>
#include <QApplication>
#include <QImage>
#include <QMessageBox>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <filesystem>

namespace pae::test {

// The tiny random CLIP and StyleGAN2 fixtures: every code path of an edit in seconds, the
// same on every machine. With explicit paths the engine's corpus root is prompts/.
inline pae::ModelPaths tinyModels()
{
    pae::ModelPaths paths;
    paths.clipDir = std::filesystem::path(PAE_TEST_DATA_DIR) / "tiny-clip";
    paths.generatorFile = std::filesystem::path(PAE_TEST_DATA_DIR) / "tiny-stylegan2" / "generator.pt";
    paths.device = "cpu";
    return paths;
}

// The trained SynthFace models, when this checkout has them.
inline bool builtinModelsPresent()
{
    return std::filesystem::exists(pae::builtinModelsDir() / "generator.safetensors");
}

// Two faces in one photo: the astronaut fixture and her mirror image side by side.
inline QImage twoFacesPhoto()
{
    const QImage her = QImage(QStringLiteral(PAE_TEST_DATA_DIR "/photos/astronaut.jpg")).convertToFormat(QImage::Format_RGB888);
    QImage two(her.width() * 2, her.height(), QImage::Format_RGB888);
    QPainter p(&two);
    p.drawImage(0, 0, her);
    p.drawImage(her.width(), 0, her.mirrored(true, false));
    return two;
}

// Settings and autosave go to Qt's test locations, the embedding cache to `cache`, and the
// settings start empty: a test never reads or changes what the user has.
inline void isolateUserFiles(const QTemporaryDir& cache)
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("XDG_CACHE_HOME", cache.path().toLocal8Bit());
    QSettings().clear();
}

// Answers the next modal message box the way a person would, by clicking one of its
// buttons (a standard one, or the one whose text contains `buttonText`), from inside the
// box's own event loop. Make it before the call that asks; question() is what the box said.
class MessageBoxAnswer : public QObject {
public:
    explicit MessageBoxAnswer(QMessageBox::StandardButton button) : m_button(button) { start(); }
    explicit MessageBoxAnswer(const QString& buttonText) : m_text(buttonText) { start(); }
    bool answered() const { return m_answered; }
    QString question() const { return m_question; }

private:
    void start()
    {
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer.start();
    }
    void poll()
    {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || m_answered)
            return;
        QAbstractButton* chosen = m_text.isEmpty() ? box->button(m_button) : nullptr;
        for (QAbstractButton* b : box->buttons())
            if (!m_text.isEmpty() && b->text().contains(m_text))
                chosen = b;
        if (!chosen)
            return;
        m_question = box->text() + QLatin1Char('\n') + box->informativeText();
        m_answered = true;
        m_timer.stop();
        chosen->click();
    }
    QMessageBox::StandardButton m_button = QMessageBox::NoButton;
    QString m_text;
    QString m_question;
    bool m_answered = false;
    QTimer m_timer;
};

} // namespace pae::test
