#pragma once
// What the end-to-end GUI tests run on, and how they stay away from the user's files.
#include "core/edit/model_set.h"
#include "core/util/paths.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

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

// Settings and autosave go to Qt's test locations, the embedding cache to `cache`, and the
// settings start empty: a test never reads or changes what the user has.
inline void isolateUserFiles(const QTemporaryDir& cache)
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("XDG_CACHE_HOME", cache.path().toLocal8Bit());
    QSettings().clear();
}

} // namespace pae::test
