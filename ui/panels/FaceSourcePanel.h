#pragma once
// Where the face comes from: a seed through the mapping network, a latent file, or a photo
// (inverted into a latent by the window). Keeps the recent files in QSettings.
#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace pae::ui {

class FaceSourcePanel : public QWidget {
    Q_OBJECT
public:
    explicit FaceSourcePanel(QWidget* parent = nullptr);

    quint64 seed() const;
    void setSeed(quint64 seed);
    QStringList recentFiles() const;
    void addRecentFile(const QString& path);
    void setSourceDescription(const QString& text);
    // The note shown while a photo is on the canvas that is not (yet) a face of the history.
    void setReferenceNotice(bool shown);
    bool isReferenceNoticeShown() const;
    static constexpr int maxRecent = 10;
    static bool isLatentFile(const QString& path);
    static bool isSessionFile(const QString& path);

public Q_SLOTS:
    void chooseRandomSeed();
    void openLatentDialog();
    void openImageDialog();

Q_SIGNALS:
    void seedChosen(quint64 seed);
    void latentFileChosen(const QString& path);
    void imageFileChosen(const QString& path);
    void sessionFileChosen(const QString& path);

private:
    void reloadRecent();
    void openPath(const QString& path);

    QSpinBox* m_seed = nullptr;
    QPushButton* m_generate = nullptr;
    QPushButton* m_another = nullptr;
    QPushButton* m_openLatent = nullptr;
    QPushButton* m_openImage = nullptr;
    QListWidget* m_recent = nullptr;
    QLabel* m_current = nullptr;
    QLabel* m_notice = nullptr;
};

} // namespace pae::ui
