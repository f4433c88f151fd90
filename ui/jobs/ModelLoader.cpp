#include "ui/jobs/ModelLoader.h"

#include "ui/jobs/LatestRunner.h"

#include "core/util/log.h"

#include <exception>

namespace pae::ui {

ModelLoader::ModelLoader(QObject* parent)
    : QObject(parent), m_runner(new LatestRunner(QStringLiteral("model-loader"), this))
{}

ModelLoader::~ModelLoader() = default;

bool ModelLoader::isLoading() const { return m_runner->isBusy(); }

void ModelLoader::load(const pae::ModelPaths& paths)
{
    m_runner->run([this, paths]() -> LatestRunner::Deliver {
        std::shared_ptr<pae::ModelSet> models;
        QString error;
        try {
            models = pae::ModelSet::load(paths);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        } catch (...) {
            error = tr("Loading the models failed with an unknown error.");
        }
        return [this, models, error] {
            if (models) {
                Q_EMIT loaded(models);
            } else {
                pae::log::warn("model load failed: {}", error.toStdString());
                Q_EMIT failed(error);
            }
        };
    });
}

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_ModelLoader.cpp"
