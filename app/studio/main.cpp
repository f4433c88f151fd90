#include "core/util/process.h"
#include "ui/MainWindow.h"

#include "core/util/log.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv)
{
    pae::ensurePassiveOpenMpWait(argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName("PAE Studio");
    QApplication::setOrganizationName("PAE Studio");
    QApplication::setApplicationVersion(PAE_VERSION);
    QApplication::setDesktopFileName("pae-studio");

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Text-guided face editing with CLIP-PAE"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("file", QApplication::translate("main", "A latent (.safetensors) or session to open"), "[file]");
    parser.process(app);

    // The log panel shows info and up; the CLI stays at warnings.
    pae::log::setLevel(spdlog::level::info);

    pae::ui::MainWindow window;
    window.show();
    const QStringList files = parser.positionalArguments();
    if (!files.isEmpty()) {
        const QString file = files.first();
        QObject::connect(&window, &pae::ui::MainWindow::modelsReady, &window, [&window, file] {
            if (file.endsWith(".paesession", Qt::CaseInsensitive))
                window.openSession(file);
            else if (file.endsWith(".safetensors", Qt::CaseInsensitive))
                window.openLatent(file);
            else
                window.openImage(file);
        }, Qt::SingleShotConnection);
    }
    return app.exec();
}
