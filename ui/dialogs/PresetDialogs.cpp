#include "ui/dialogs/PresetDialogs.h"

#include "ui/dialogs/FileDialogs.h"
#include "ui/jobs/LiveEditController.h"
#include "ui/panels/LiveEditPanel.h"
#include "ui/session/EditHistory.h"

#include <QFileInfo>
#include <QInputDialog>
#include <QMainWindow>
#include <QMessageBox>

namespace pae::ui {

void connectPresetDialogs(const Studio& studio, LiveEditController* live)
{
    LiveEditPanel* panel = studio.w.live;
    QObject::connect(panel, &LiveEditPanel::savePresetRequested, live, [studio, live] {
        bool ok = false;
        const QString name =
            QInputDialog::getText(studio.window, QObject::tr("Save as preset"), QObject::tr("Name of the preset:"),
                                  QLineEdit::Normal, studio.history->current().prompt, &ok);
        if (!ok)
            return;
        try {
            const QString path = live->saveCurrentAsPreset(name);
            studio.status(QObject::tr("Saved the preset %1").arg(path), 5000);
        } catch (const std::exception& ex) {
            studio.reportError(QObject::tr("Cannot save the preset"), QString::fromUtf8(ex.what()));
        }
    });
    QObject::connect(panel, &LiveEditPanel::importPresetRequested, live, [studio, live] {
        const QString path = FileDialogs::openFile(studio.window, FileDialogs::Kind::Preset,
                                                   QObject::tr("Import preset"), QObject::tr("Presets (*.preset)"));
        if (path.isEmpty())
            return;
        try {
            live->importPreset(path);
        } catch (const std::exception& ex) {
            studio.reportError(QObject::tr("Cannot import the preset"), QString::fromUtf8(ex.what()));
        }
    });
    QObject::connect(panel, &LiveEditPanel::exportPresetRequested, live, [studio, live](const QString& preset) {
        const QString path =
            FileDialogs::saveFile(studio.window, FileDialogs::Kind::Preset, QObject::tr("Export preset"),
                                  QFileInfo(preset).fileName(), QObject::tr("Presets (*.preset)"));
        if (path.isEmpty())
            return;
        try {
            live->exportPreset(preset, path);
            studio.status(QObject::tr("Saved %1").arg(path), 5000);
        } catch (const std::exception& ex) {
            studio.reportError(QObject::tr("Cannot export the preset"), QString::fromUtf8(ex.what()));
        }
    });
    QObject::connect(panel, &LiveEditPanel::deletePresetRequested, live, [studio, live](const QString& preset) {
        if (QMessageBox::question(
                studio.window, QObject::tr("Remove the preset?"),
                QObject::tr("Remove %1 from your presets? The file is deleted.").arg(QFileInfo(preset).fileName())) !=
            QMessageBox::Yes)
            return;
        try {
            live->removePreset(preset);
        } catch (const std::exception& ex) {
            studio.reportError(QObject::tr("Cannot remove the preset"), QString::fromUtf8(ex.what()));
        }
    });
}

} // namespace pae::ui
