#pragma once
#include <filesystem>

namespace pae {

// Where prompts/ and models/ live: $PAE_DATA_DIR, else <exe>/../share/pae-studio when
// installed, else the source tree this binary was built from.
std::filesystem::path dataDir();
std::filesystem::path promptsDir();          // dataDir()/prompts
std::filesystem::path builtinModelsDir();    // dataDir()/resources/models/synthface or models/synthface
// Per-user cache ($XDG_CACHE_HOME/pae-studio or ~/.cache/pae-studio), created on demand.
std::filesystem::path cacheDir();

// Writes bytes to a temporary file beside `path`, then renames it into place, so a crash
// never leaves a half-written file. Throws pae::Error naming the path.
void writeFileAtomically(const std::filesystem::path& path, const void* data, size_t size);

} // namespace pae
