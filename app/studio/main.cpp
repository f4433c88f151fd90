#include "core/util/process.h"
#include "ui/MainWindow.h"

#include "core/util/log.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>
#include <tuple>

namespace {

// The command line, read before QApplication exists: --help and a wrong option must work on
// a machine without a display (QApplication aborts there before it could print anything).
struct StudioArguments {
    std::optional<pae::ModelPaths> models; // set when any model flag is given
    QString file;
};

QString tr(const char* text) { return QCoreApplication::translate("main", text); }

// Exits 0 after --help / --version, 2 after a usage error (as pae-cli does).
StudioArguments parseArguments(int argc, char** argv)
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("PAE Studio: text-guided face editing with CLIP-PAE.\n"
                                        "With no model flags it opens the models chosen in Settings › Models… "
                                        "(the built-in SynthFace models at first)."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, tr("Show this help and exit."));
    const QCommandLineOption version(QStringLiteral("version"), tr("Show the version and exit."));
    const QCommandLineOption clip(QStringLiteral("clip"),
                                  tr("CLIP folder (Hugging Face layout); default: built-in SynthFace."), tr("dir"));
    const QCommandLineOption generator(QStringLiteral("generator"),
                                       tr("StyleGAN2 .pt or .safetensors; default: built-in SynthFace."), tr("file"));
    const QCommandLineOption arcface(QStringLiteral("arcface"),
                                     tr("ArcFace IR-SE50 identity network (model_ir_se50.pth); optional."), tr("file"));
    const QCommandLineOption encoder(QStringLiteral("encoder"), tr("e4e encoder (e4e_ffhq_encode.pt); optional."),
                                     tr("file"));
    const QCommandLineOption device(QStringLiteral("device"), tr("auto, cpu or cuda (default: auto)."), tr("device"));
    const QCommandLineOption threads(QStringLiteral("threads"), tr("CPU threads (0: all cores; default 0)."), tr("n"));
    parser.addOptions({help, version, clip, generator, arcface, encoder, device, threads});
    parser.addPositionalArgument(QStringLiteral("file"),
                                 tr("A session (.paesession), latent (.safetensors) or photo to open."),
                                 QStringLiteral("[file]"));
    const auto usage = [&](const QString& message) {
        std::fprintf(stderr, "pae-studio: %s\nTry 'pae-studio --help'.\n", qPrintable(message));
        std::exit(2);
    };
    if (!parser.parse(args))
        usage(parser.errorText());
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        std::exit(0);
    }
    if (parser.isSet(version)) {
        std::printf("pae-studio %s\n", PAE_VERSION);
        std::exit(0);
    }
    StudioArguments out;
    if (parser.isSet(clip) || parser.isSet(generator) || parser.isSet(arcface) || parser.isSet(encoder) ||
        parser.isSet(device) || parser.isSet(threads)) {
        pae::ModelPaths paths;
        paths.clipDir = parser.value(clip).toStdString();
        paths.generatorFile = parser.value(generator).toStdString();
        paths.identityFile = parser.value(arcface).toStdString();
        paths.encoderFile = parser.value(encoder).toStdString();
        if (parser.isSet(device)) {
            const QString d = parser.value(device);
            if (d != QLatin1String("auto") && d != QLatin1String("cpu") && d != QLatin1String("cuda"))
                usage(tr("--device: “%1” is not auto, cpu or cuda").arg(d));
            paths.device = d.toStdString();
        }
        if (parser.isSet(threads)) {
            bool ok = false;
            const int n = parser.value(threads).toInt(&ok);
            const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
            if (!ok || n < 0 || n > cores)
                usage(tr("--threads: “%1” is not a number from 0 to %2 (this machine's cores)")
                          .arg(parser.value(threads))
                          .arg(cores));
            paths.threads = n;
        }
        for (const auto& [option, path, wantDir] :
             {std::tuple{QStringLiteral("--clip"), parser.value(clip), true},
              std::tuple{QStringLiteral("--generator"), parser.value(generator), false},
              std::tuple{QStringLiteral("--arcface"), parser.value(arcface), false},
              std::tuple{QStringLiteral("--encoder"), parser.value(encoder), false}}) {
            if (path.isEmpty())
                continue;
            const QFileInfo info(path);
            if (!info.exists())
                usage(tr("%1 %2: no such %3").arg(option, path, wantDir ? tr("folder") : tr("file")));
            if (info.isDir() != wantDir)
                usage(wantDir
                          ? tr("%1 %2: is a file; give the CLIP model's folder").arg(option, path)
                          : tr("%1 %2: is a folder; give the generator's .pt or .safetensors file").arg(option, path));
        }
        out.models = paths;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() > 1)
        usage(tr("one file at a time, got %1").arg(files.size()));
    if (!files.isEmpty())
        out.file = QFileInfo(files.first()).absoluteFilePath();
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    pae::ensurePassiveOpenMpWait(argv);
    StudioArguments args;
    {
        // A plain QCoreApplication needs no display; the parser takes the program's name from it.
        QCoreApplication parsing(argc, argv);
        args = parseArguments(argc, argv);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName("PAE Studio");
    QApplication::setOrganizationName("PAE Studio");
    QApplication::setApplicationVersion(PAE_VERSION);
    QApplication::setDesktopFileName("pae-studio");

    // The log panel shows info and up; the CLI stays at warnings.
    pae::log::setLevel(spdlog::level::info);

    pae::ui::MainWindow::Options options;
    options.modelPaths = args.models;
    pae::ui::MainWindow window(options);
    window.show();
    if (!args.file.isEmpty()) {
        const QString file = args.file;
        QObject::connect(
            &window, &pae::ui::MainWindow::modelsReady, &window, [&window, file] { window.openFile(file); },
            Qt::SingleShotConnection);
    }
    return app.exec();
}
