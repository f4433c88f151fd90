#pragma once
// The face on screen and where it came from: a seed, a latent file, a photo (inverted off the
// GUI thread, optionally aligned first, with its other faces kept while one is edited) or a
// session's latents. Asks for faces from the FaceRenderer, keeps the one asked for last (an
// older answer is dropped), starts a new history when it arrives, and shows the face on the
// canvas — pasted back into its photo when View › Show in photo is on.
#include "ui/jobs/FaceRenderer.h"
#include "ui/session/HistoryEntry.h"
#include "ui/window/Studio.h"

#include <QObject>

#include <functional>
#include <memory>

namespace pae::ui {

class EditRuns;
class PhotoFaces;

class FaceController : public QObject {
    Q_OBJECT
public:
    FaceController(Studio studio, QObject* parent = nullptr);
    ~FaceController() override;
    // The edit runs a new face makes stale.
    void setRuns(EditRuns* runs) { m_runs = runs; }
    // Whether a session file is still being read (another face waits for it).
    void setReadingSession(std::function<bool()> reading) { m_readingSession = std::move(reading); }

    // Each returns false (after showing the error) when nothing was asked for; otherwise
    // faceShown or faceFailed follows, unless a newer request came first. Each asks before the
    // work on screen is replaced (Studio::confirmReplace).
    bool showSeed(quint64 seed);
    bool openLatent(const QString& path);
    // Shows the photo and inverts its face `face` (0 the largest; any other aligns).
    bool openImage(const QString& path, int face = 0);
    // A session's latents (already checked against the models), rendered like any face;
    // `onRendered` gets them on the GUI thread, then faceShown follows.
    void requestLatents(std::vector<pae::Latent> latents, const QString& path,
                        std::function<void(const FaceResult&)> onRendered);

    bool isBusy() const { return m_renderer->isBusy(); }
    bool isInverting() const;
    // Stops the running photo inversion; false when there is none.
    bool cancelInversion();
    // A photo is on the canvas that is not a face of the history: while it is being
    // inverted, or when its inversion failed and there is no face to go back to.
    bool isReferenceMode() const { return m_referenceMode; }
    // The canvas shows the history's current face (not a live preview).
    void showCurrentEntry();
    // Shows the current face again unless a photo waits for its inversion.
    void restoreCanvas();
    // A new source face: the history, the comparison and the last run start over. New work
    // also lets go of the photo's other faces; `switchingFace` (another face of the same
    // photo) keeps them and the document's file.
    void adoptFace(const HistoryEntry& source, bool switchingFace = false);
    // New models: no face of the old ones is kept.
    void clear();

    // Photos ---------------------------------------------------------------------------
    const PhotoPlacement* placement() const { return m_placement.get(); }
    std::shared_ptr<const PhotoPlacement> sharedPlacement() const { return m_placement; }
    void setPlacement(std::shared_ptr<const PhotoPlacement> placement);
    PhotoFaces& otherFaces() const { return *m_photoFaces; }
    // `face` pasted into the current face's photo with the other faces' edits; a null image
    // when there is no photo or the photo view is off. `logLine` says what was done.
    QImage inPhoto(const QImage& face, std::string* logLine) const;
    // Face `face` of the current face's photo becomes the one edited (see MainWindow).
    bool editFaceInPhoto(int face);
    void chooseFaceInPhoto();
    bool showsInPhoto() const { return m_showInPhoto; }
    void setShowInPhoto(bool on);
    bool marksFaces() const { return m_markFaces; }
    void setMarkFaces(bool on);
    bool alignsPhotos() const { return m_align; }
    void setAlignPhotos(bool on);
    // The canvas composes through the photo when the photo view is on.
    void updateComposer();

Q_SIGNALS:
    // A new face was asked for: anything older (a session still being read) is superseded.
    void faceRequested();
    void faceShown();
    void faceFailed(const QString& message);
    // The current face's photo changed (or went): the photo actions follow.
    void placementChanged();

private:
    // The face that was asked for last; nothing changes until it arrives.
    struct PendingFace {
        quint64 id = 0;
        FaceRequest::Kind kind = FaceRequest::Kind::Seed;
        quint64 seed = 0;
        QString path;
        QString status;       // shown in the status bar until the face arrives
        bool aligned = false; // Kind::Photo: the photo was aligned before inversion
        bool cartoon = false; // Kind::Photo: a photo inverted into the built-in cartoon world
        // Kind::Photo: another face of the current face's photo; the current face is kept.
        std::shared_ptr<const PhotoPlacement> switchFrom;
        std::function<void(const FaceResult&)> onLatents; // Kind::Latents
    };
    void request(FaceRequest request, PendingFace pending);
    void onRendered(quint64 id, const FaceResult& result);
    void onFailed(quint64 id, const QString& message);
    HistoryEntry entryFor(const PendingFace& pending, const FaceResult& result);
    void reportInversion(const PendingFace& pending, const FaceResult& result);
    void requestPhotoFace(const QString& path, const QImage& photo, int face, bool align, bool cartoon,
                          std::shared_ptr<const PhotoPlacement> switchFrom);
    void keepCurrentFace();
    void updateMarks();
    void setReferenceMode(bool on);
    void forgetRuns(bool clearResults);

    Studio m_studio;
    EditRuns* m_runs = nullptr;
    std::function<bool()> m_readingSession;
    FaceRenderer* m_renderer = nullptr;
    PendingFace m_pending;
    bool m_referenceMode = false;
    bool m_showInPhoto = true;
    bool m_markFaces = true;
    bool m_align = false;
    std::unique_ptr<PhotoFaces> m_photoFaces;          // the other faces of the current face's photo
    std::shared_ptr<const PhotoPlacement> m_placement; // the current face's place in its photo
};

} // namespace pae::ui
