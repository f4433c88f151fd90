#pragma once
// The studio's widgets in their places: the prompt row and the canvas in the middle, the face
// source and history on the left, corpus, strength and live edit on the right, the λ
// comparison and the log below, and the status bar's zoom, time left and progress.
#include "ui/window/Studio.h"

class QMainWindow;

namespace pae::ui {

class EditHistory;

// Makes the widgets as children of `window` and lays them out; nothing is connected yet.
StudioWidgets buildStudioLayout(QMainWindow* window, EditHistory* history);

} // namespace pae::ui
