#pragma once
// The Live edit panel's preset commands that ask the user something: Save as preset (a name),
// Import and Export (file dialogs) and Remove (a confirmation). Each failure is a message
// naming the preset and the problem.
#include "ui/window/Studio.h"

namespace pae::ui {

class LiveEditController;

void connectPresetDialogs(const Studio& studio, LiveEditController* live);

} // namespace pae::ui
