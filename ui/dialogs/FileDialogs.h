#pragma once
// Every file dialog of the studio, in one place: each kind of file opens in the folder
// where the user last opened or saved that kind (remembered in the settings), whatever
// route the file came by (dialog, drop, recent list, command line).
#include <QString>

class QWidget;

namespace pae::ui {

class FileDialogs {
public:
    enum class Kind {
        Face,    // latents and photos
        Session, // .paesession
        Export,  // images, grids, latents, animations written out
        Corpus,  // user corpora
        Model,   // CLIP folders and generator checkpoints
        Preset,  // .preset files imported or exported
    };
    // The folder last used for `kind`; the user's Pictures (photos, exports) or home folder at first.
    static QString lastFolder(Kind kind);
    // `path` (a file or a folder) was opened or saved: its folder is next time's start.
    static void remember(Kind kind, const QString& path);

    // Empty when cancelled. The chosen file is remembered.
    static QString openFile(QWidget* parent, Kind kind, const QString& title, const QString& filter);
    static QString saveFile(QWidget* parent, Kind kind, const QString& title, const QString& defaultName,
                            const QString& filter);
    static QString folder(QWidget* parent, Kind kind, const QString& title);
};

} // namespace pae::ui
