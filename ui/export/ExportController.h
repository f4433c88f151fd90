#pragma once
// File › Export: the current image (alone or pasted back into its photo), the λ comparison
// grid, the latent, the last edit's animation and the λ interpolation; their dialogs and the
// remembered export size. What it exports it reads from the studio at the moment of the
// export (Sources); it changes nothing there.
#include "ui/jobs/FaceRenderer.h"
#include "ui/session/LastRun.h"

#include "core/edit/model_set.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <string>

class QAction;
class QMenu;
class QWidget;

namespace pae::ui {

class ComparePanel;
class EditHistory;

class ExportController : public QObject {
    Q_OBJECT
public:
    struct Sources {
        QWidget* window = nullptr; // the dialogs' parent
        std::function<std::shared_ptr<pae::ModelSet>()> models;
        EditHistory* history = nullptr;
        ComparePanel* compare = nullptr;
        const LastRun* lastRun = nullptr;
        // The face pasted back into its photo with the photo's other edited faces, and a line
        // for the log; a null image when the face is exported alone (no photo, or the photo
        // view is off).
        std::function<QImage(const QImage& face, std::string* logLine)> inPhoto;
    };
    ExportController(Sources sources, QObject* parent);

    // Throw pae::Error naming the file; `overwrite` must be true to replace an existing file.
    void exportImage(const QString& path, bool overwrite);
    void exportGrid(const QString& path, bool overwrite);
    void exportLatent(const QString& path, bool overwrite);
    // .gif: an animated GIF of the last run's preview frames (selected λ); .mp4 / .webm a
    // video (where OpenCV has the codec); anything else is taken as a folder-and-stem for a
    // PNG frame sequence. Encoded off the GUI thread: animationExported or failed follows.
    void exportAnimation(const QString& path, bool overwrite);
    // From the source face (λ 0) through each λ of the last run in order, with in-between
    // faces interpolated in W+; rendered off the GUI thread, then written:
    // interpolationExported or failed follows.
    void exportInterpolation(const QString& path, bool overwrite);
    static constexpr int interpolationStepsPerLambda = 8;
    bool isInterpolating() const { return m_pending.id != 0; }

    // The longer side Export image writes (0: the generator's own size) and the filter that
    // enlarges it (nearest, bicubic, lanczos). Remembered in the settings.
    int exportSize() const;
    QString exportFilter() const;
    void setExportSize(int size, const QString& filter);
    // File › Export size, its entries checked as the settings say.
    void addSizeMenu(QMenu* file);

    // The File menu's entries: ask for a file name, export, say what happened.
    void exportImageDialog();
    void exportGridDialog();
    void exportLatentDialog();
    void exportAnimationDialog();
    void exportInterpolationDialog();

Q_SIGNALS:
    void animationExported(const QString& path);
    void interpolationExported(const QString& path);
    void status(const QString& message, int timeoutMs); // 0: until replaced
    void failed(const QString& title, const QString& message);
    void interpolatingChanged();

private:
    void writeInterpolation(quint64 id, const FaceResult& frames);
    void writeAnimationInBackground(const QVector<QImage>& frames, const QString& path, bool overwrite,
                                    const QString& failure, const std::function<void(const QString&)>& done);
    void runDialog(const QString& title, const QString& defaultName, const QString& filter, const QString& failure,
                   const std::function<void(const QString&)>& write);

    Sources m_sources;
    // Renders for exports: their own queue, so an export never supersedes a face request.
    FaceRenderer* m_faces = nullptr;
    struct Pending {
        quint64 id = 0;
        QString path;
        bool overwrite = false;
    } m_pending;
    QList<QAction*> m_sizeActions;
    QList<QAction*> m_filterActions;
};

} // namespace pae::ui
