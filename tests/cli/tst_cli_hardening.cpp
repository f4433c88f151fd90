// Hostile input to every pae-cli command (issue 19): each case must end with the right exit
// code (1: error, 2: usage error), an "error:" line naming the file or option and the
// problem, and none of the command's outputs on disk. One row per case.
#include "TestSupport.h"
#include "core/io/safetensors.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <torch/torch.h>

#include <csignal>
#include <limits>

#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

namespace {

const QString kClip = QStringLiteral(PAE_TEST_DATA_DIR "/tiny-clip");
const QString kGenerator = QStringLiteral(PAE_TEST_DATA_DIR "/tiny-stylegan2/generator.pt");
const QString kPhoto = QStringLiteral(PAE_TEST_DATA_DIR "/photos/astronaut.jpg");
const QString kSmallImage = QStringLiteral(PAE_TEST_DATA_DIR "/tiny-clip/test_image.png");

QByteArray readAll(const QString& file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString& file, const QByteArray& bytes)
{
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), qint64(bytes.size()));
}

// A PNG whose header says width × height; the pixel data after it is never reached.
QByteArray pngHeader(uint32_t width, uint32_t height)
{
    QByteArray b("\x89PNG\r\n\x1a\n", 8);
    auto be32 = [&](uint32_t v) {
        for (int s = 24; s >= 0; s -= 8)
            b.append(char((v >> s) & 0xff));
    };
    be32(13);
    b.append("IHDR");
    be32(width);
    be32(height);
    b.append("\x08\x02\x00\x00\x00", 5);
    be32(0); // CRC: a reader that gets this far has already decided
    return b + QByteArray(64, '\0');
}

class TestCliHardening : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }
    using Result = pae::test::CliResult;
    Result run(const QStringList& args)
    {
        return pae::test::runCli(args, pae::test::CliOptions::cachedIn(path("cache"), m_dir.path()));
    }

    static QStringList models() { return {"--clip", kClip, "--generator", kGenerator, "--device", "cpu"}; }
    static QStringList edit(const QStringList& more)
    {
        return QStringList{"edit"} + models() + QStringList{"--prompt", "a happy face", "--steps", "2"} + more;
    }
    static QStringList sweep(const QStringList& more)
    {
        return QStringList{"sweep"} + models() + QStringList{"--prompt", "a happy face", "--steps", "2"} + more;
    }
    static QStringList generate(const QStringList& more)
    {
        return QStringList{"generate", "--generator", kGenerator, "--device", "cpu"} + more;
    }

    void saveW(const QString& name, const torch::Tensor& w)
    {
        pae::io::saveSafetensors(path(name).toStdString(), {{"w", w}});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
        saveW("nan.safetensors", torch::zeros({1, 32}).index_fill_(1, torch::tensor({3}), nan));
        saveW("inf.safetensors", torch::zeros({1, 32}).index_fill_(1, torch::tensor({5}), -inf));
        saveW("huge.safetensors", torch::full({1, 32}, 3e38f));
        saveW("i32.safetensors", torch::ones({1, 32}, torch::kInt32));
        saveW("bool.safetensors", torch::ones({1, 32}, torch::kBool));
        saveW("two.safetensors", torch::zeros({2, 8, 32}));
        pae::io::saveSafetensors(path("z-nan.safetensors").toStdString(),
                                 {{"z", torch::zeros({1, 32}).index_fill_(1, torch::tensor({0}), nan)}});
        pae::io::saveSafetensors(
            path("pixels-nan.safetensors").toStdString(),
            {{"pixel_values", torch::zeros({1, 3, 32, 32}).index_fill_(2, torch::tensor({7}), nan)}});
        writeAll(path("big.png"), pngHeader(30000, 30000));
        writeAll(path("endless.png"), pngHeader(4294967295u, 4294967295u)); // once overflowed the check
        const QByteArray jpeg = readAll(kPhoto);
        QVERIFY(jpeg.endsWith("\xff\xd9"));
        writeAll(path("truncated.jpg"), jpeg.left(jpeg.size() / 2));
        // A stray restart marker in the middle of the scan: damage libjpeg reports (and would
        // paper over with grey).
        writeAll(path("corrupt.jpg"),
                 jpeg.left(jpeg.size() / 2) + QByteArray("\xff\xd3", 2) + jpeg.mid(jpeg.size() / 2));
        const QByteArray png = readAll(kSmallImage);
        QVERIFY(png.startsWith("\x89PNG"));
        writeAll(path("truncated.png"), png.left(png.size() * 2 / 3));
        QByteArray damaged = png;
        damaged[damaged.size() / 2] = char(damaged[damaged.size() / 2] ^ 0x5a);
        writeAll(path("damaged.png"), damaged);
        QVERIFY(QDir(m_dir.path()).mkpath("folder.png"));
        writeAll(path("existing.png"), "keep me");
    }

    void shouldFailCleanly_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("mentions"); // all in the "error:" line
        QTest::addColumn<QStringList>("absent");   // outputs that must not exist afterwards

        const QStringList out{"--out", "o.png"};
        const QStringList none{"o.png"};
        // Bad numbers in latents and pixels.
        QTest::newRow("generate: NaN latent") << generate({"--latent", "nan.safetensors", "--out", "o.png"}) << 1
                                              << QStringList{"nan.safetensors", "'w'", "NaN"} << none;
        QTest::newRow("generate: Inf latent") << generate({"--latent", "inf.safetensors", "--out", "o.png"}) << 1
                                              << QStringList{"inf.safetensors", "'w'", "infinite"} << none;
        QTest::newRow("generate: 3e38 latent") << generate({"--latent", "huge.safetensors", "--out", "o.png"}) << 1
                                               << QStringList{"huge.safetensors", "'w'", "magnitude"} << none;
        QTest::newRow("generate: NaN z") << generate({"--latent", "z-nan.safetensors", "--out", "o.png"}) << 1
                                         << QStringList{"z-nan.safetensors", "'z'", "NaN"} << none;
        QTest::newRow("generate: I32 latent") << generate({"--latent", "i32.safetensors", "--out", "o.png"}) << 1
                                              << QStringList{"i32.safetensors", "I32", "floating point"} << none;
        QTest::newRow("edit: NaN latent") << edit({"--latent", "nan.safetensors", "--out", "o.png"}) << 1
                                          << QStringList{"nan.safetensors", "'w'", "NaN"} << none;
        QTest::newRow("edit: 3e38 latent") << edit({"--latent", "huge.safetensors", "--out", "o.png"}) << 1
                                           << QStringList{"huge.safetensors", "magnitude"} << none;
        QTest::newRow("edit: BOOL latent") << edit({"--latent", "bool.safetensors", "--out", "o.png"}) << 1
                                           << QStringList{"bool.safetensors", "BOOL"} << none;
        QTest::newRow("sweep: Inf latent")
            << sweep({"--latent", "inf.safetensors", "--lambdas", "2,5", "--out", "o.png"}) << 1
            << QStringList{"inf.safetensors", "'w'"} << none;
        QTest::newRow("edit: a batch of two latents")
            << edit({"--latent", "two.safetensors", "--out", "o.png"}) << 1
            << QStringList{"two.safetensors", "2 latents", "[1,8,32]", "[8,32]"} << none;
        QTest::newRow("embed: NaN pixels")
            << QStringList{"embed", "--clip", kClip, "--pixels", "pixels-nan.safetensors"} << 1
            << QStringList{"pixels-nan.safetensors", "pixel_values", "NaN"} << QStringList{};
        QTest::newRow("generate: truncation nan") << generate({"--seed", "1", "--truncation", "nan", "--out", "o.png"})
                                                  << 2 << QStringList{"--truncation", "finite"} << none;
        QTest::newRow("edit: truncation inf") << edit({"--seed", "1", "--truncation", "inf", "--out", "o.png"}) << 2
                                              << QStringList{"--truncation", "finite"} << none;
        // Seeds.
        QTest::newRow("generate: seed 2^32")
            << generate({"--seed", "4294967296", "--out", "o.png"}) << 2 << QStringList{"--seed", "4294967295"} << none;
        QTest::newRow("generate: seed -1")
            << generate({"--seed=-1", "--out", "o.png"}) << 2 << QStringList{"--seed", "4294967295"} << none;
        QTest::newRow("edit: 23-digit seed") << edit({"--seed", "12345678901234567890123", "--out", "o.png"}) << 2
                                             << QStringList{"--seed", "4294967295"} << none;
        QTest::newRow("render: seed 2^32")
            << QStringList{"synthface", "render", "--seed", "4294967296", "--out", "o.png"} << 2
            << QStringList{"--seed", "4294967295"} << none;
        QTest::newRow("render: seeds past the last")
            << QStringList{"synthface", "render", "--seed", "4294967295", "--count", "2", "--out", "o.png"} << 2
            << QStringList{"--seed", "4294967295"} << none;
        // Threads.
        QTest::newRow("edit: threads 100000") << edit({"--seed", "1", "--threads", "100000", "--out", "o.png"}) << 2
                                              << QStringList{"--threads", "core"} << none;
        QTest::newRow("edit: threads -1") << edit({"--seed", "1", "--threads", "-1", "--out", "o.png"}) << 2
                                          << QStringList{"--threads", "core"} << none;
        // Other numbers.
        QTest::newRow("edit: empty lambda")
            << edit({"--seed", "1", "--lambda", "", "--out", "o.png"}) << 2 << QStringList{"--lambda"} << none;
        QTest::newRow("sweep: trailing comma") << sweep({"--seed", "1", "--lambdas", "2,5,", "--out", "o.png"}) << 2
                                               << QStringList{"--lambdas", "empty"} << none;
        QTest::newRow("sweep: NaN lambda") << sweep({"--seed", "1", "--lambdas", "2,nan", "--out", "o.png"}) << 2
                                           << QStringList{"--lambdas", "nan"} << none;
        QTest::newRow("eval: margin nan")
            << QStringList{"synthface", "eval", "--margin", "nan"} << 2 << QStringList{"--margin"} << QStringList{};
        QTest::newRow("eval: margin -1") << QStringList{"synthface", "eval", "--margin", "-1"} << 2
                                         << QStringList{"--margin"} << QStringList{};
        QTest::newRow("eval: id-weight -1") << QStringList{"synthface", "eval", "--id-weight", "-1"} << 2
                                            << QStringList{"--id-weight"} << QStringList{};
        QTest::newRow("eval: id-weight with presets")
            << QStringList{"synthface", "eval", "--presets", "--id-weight", "0.05"} << 2
            << QStringList{"--id-weight", "--presets"} << QStringList{};
        QTest::newRow("eval: lambdas with a hole") << QStringList{"synthface", "eval", "--lambdas", "2,,8"} << 2
                                                   << QStringList{"--lambdas", "empty"} << QStringList{};
        QTest::newRow("bench: edit-steps -1")
            << QStringList{"bench", "--edit-steps", "-1"} << 2 << QStringList{"--edit-steps"} << QStringList{};
        QTest::newRow("check: scale nan")
            << QStringList{"synthface", "check", "--scale", "nan"} << 2 << QStringList{"--scale"} << QStringList{};
        QTest::newRow("generate: count 1000000000")
            << generate({"--seed", "1", "--count", "1000000000", "--out", "o.png"}) << 2
            << QStringList{"--count", "1024"} << QStringList{"o-0.png", "o.png"};
        // What one input may cost.
        QTest::newRow("align: 30000x30000 PNG") << QStringList{"align", "--image", "big.png", "--out", "o.png"} << 1
                                                << QStringList{"big.png", "30000x30000", "100 MP"} << none;
        QTest::newRow("embed: 30000x30000 PNG") << QStringList{"embed", "--clip", kClip, "--image", "big.png"} << 1
                                                << QStringList{"big.png", "100 MP"} << QStringList{};
        QTest::newRow("invert: 30000x30000 PNG")
            << (QStringList{"invert"} + models() + QStringList{"--image", "big.png", "--latent-out", "l.safetensors"})
            << 1 << QStringList{"big.png", "100 MP"} << QStringList{"l.safetensors"};
        QTest::newRow("embed: (2^32-1)² PNG")
            << QStringList{"embed", "--clip", kClip, "--image", "endless.png"} << 1
            << QStringList{"endless.png", "4294967295x4294967295", "100 MP"} << QStringList{};
        QTest::newRow("embed: a folder as image") << QStringList{"embed", "--clip", kClip, "--image", "folder.png"} << 1
                                                  << QStringList{"folder.png", "folder"} << QStringList{};
        QTest::newRow("align: truncated JPEG") << QStringList{"align", "--image", "truncated.jpg", "--out", "o.png"}
                                               << 1 << QStringList{"truncated.jpg", "truncated"} << none;
        QTest::newRow("embed: truncated PNG") << QStringList{"embed", "--clip", kClip, "--image", "truncated.png"} << 1
                                              << QStringList{"truncated.png", "truncated"} << QStringList{};
        QTest::newRow("embed: damaged PNG") << QStringList{"embed", "--clip", kClip, "--image", "damaged.png"} << 1
                                            << QStringList{"damaged.png", "CRC"} << QStringList{};
        QTest::newRow("embed: corrupt JPEG")
            << QStringList{"embed", "--clip", kClip, "--image", "corrupt.jpg"} << 1
            << QStringList{"corrupt.jpg", "damaged", "premature end of data segment"} << QStringList{};
        // Outputs: checked before the work, all or nothing.
        QTest::newRow("edit: --latent-out .") << edit({"--seed", "1", "--out", "o.png", "--latent-out", "."}) << 1
                                              << QStringList{".", "--latent-out", "folder"} << none;
        QTest::newRow("generate: --tensor-out into a missing folder")
            << generate({"--seed", "1", "--out", "o.png", "--tensor-out", "missing/t.safetensors"}) << 1
            << QStringList{"missing", "does not exist", "--tensor-out"} << none;
        QTest::newRow("generate: --tensor-out under a file")
            << generate({"--seed", "1", "--out", "o.png", "--tensor-out", "existing.png/t.safetensors"}) << 1
            << QStringList{"existing.png", "not a folder"} << none;
        QTest::newRow("edit: --metrics-out into a missing folder")
            << edit({"--seed", "1", "--out", "o.png", "--latent-out", "l.safetensors", "--metrics-out", "no/m.json",
                     "--preview-dir", "previews"})
            << 1 << QStringList{"no/m.json", "--metrics-out"} << QStringList{"o.png", "l.safetensors", "previews"};
        QTest::newRow("sweep: --latent-out into a missing folder")
            << sweep({"--seed", "1", "--lambdas", "2,5", "--out", "o.png", "--latent-out", "no/l.safetensors"}) << 1
            << QStringList{"no/l-0.safetensors", "--latent-out"} << QStringList{"o.png"};
        QTest::newRow("invert: --out into a missing folder")
            << (QStringList{"invert"} + models() +
                QStringList{"--image", kSmallImage, "--latent-out", "l.safetensors", "--out", "no/r.png"})
            << 1 << QStringList{"no/r.png", "--out"} << QStringList{"l.safetensors"};
        QTest::newRow("edit: --out and --latent-out the same file")
            << edit({"--seed", "1", "--out", "o.png", "--latent-out", "./o.png"}) << 2
            << QStringList{"--latent-out", "--out", "same file"} << none;
        QTest::newRow("generate: --out is a folder") << generate({"--seed", "1", "--out", "folder.png"}) << 1
                                                     << QStringList{"folder.png", "folder"} << QStringList{};
        QTest::newRow("render: --no-clobber")
            << QStringList{"synthface",    "render",           "--seed", "1",           "--out",
                           "existing.png", "--attributes-out", "a.json", "--no-clobber"}
            << 1 << QStringList{"existing.png", "--no-clobber"} << QStringList{"a.json"};
        QTest::newRow("render: .ppm") << QStringList{"synthface", "render", "--seed", "1", "--out", "o.ppm"} << 2
                                      << QStringList{"o.ppm", ".png"} << QStringList{"o.ppm"};
    }

    void shouldFailCleanly()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QStringList, mentions);
        QFETCH(QStringList, absent);
        const Result r = run(args);
        QVERIFY2(r.exitCode == exitCode, qPrintable(QString("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
        QString errorLine;
        for (const QString& line : r.err.split('\n'))
            if (line.startsWith("error: "))
                errorLine = line;
        QVERIFY2(!errorLine.isEmpty(), qPrintable(r.err));
        for (const QString& m : mentions)
            QVERIFY2(errorLine.contains(m), qPrintable("'" + m + "' not in: " + errorLine));
        // No raw library text, no empty reason.
        QVERIFY2(!errorLine.contains("basic_filebuf") && !errorLine.contains(": Success"), qPrintable(errorLine));
        for (const QString& line : r.err.split('\n'))
            QVERIFY2(line.startsWith("error: ") || !(line.contains("libpng") || line.contains("JPEG")),
                     qPrintable(r.err));
        for (const QString& file : absent)
            QVERIFY2(!QFileInfo::exists(path(file)), qPrintable(file + " was left behind"));
        // No temporary either.
        const QStringList temporaries = QDir(m_dir.path()).entryList({".pae-*"}, QDir::Files | QDir::Hidden);
        QVERIFY2(temporaries.isEmpty(), qPrintable(temporaries.join(", ")));
        QCOMPARE(readAll(path("existing.png")), QByteArray("keep me"));
    }

    void shouldUseTheBuiltInModels_whenNoneAreGiven()
    {
        Result r = run({"generate", "--seed", "1", "--device", "cpu", "--out", "builtin.png"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFileInfo::exists(path("builtin.png")));
        r = run({"tokenize", "a happy face"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = run({"embed", "--device", "cpu", "--text", "a happy face"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    // A full disk, made with a file size limit: the PNGs (about 2 KB each) fit, the tensor
    // (24 KB) does not. Before, the PNGs stayed.
    void shouldLeaveNothing_whenALaterWriteFails()
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.setChildProcessModifier([] {
            ::signal(SIGXFSZ, SIG_IGN); // a write past the limit fails with EFBIG instead
            const rlimit limit{16384, 16384};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        p.start(QStringLiteral(PAE_CLI_PATH),
                generate({"--seed", "1", "--count", "2", "--out", "full.png", "--tensor-out", "full.safetensors"}));
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.startsWith("error: ") && err.contains("full.safetensors") && err.contains("write failed"),
                 qPrintable(err));
        QVERIFY2(!err.contains(".pae-"), qPrintable(err)); // the target's name, not the temporary's
        for (const char* file : {"full-0.png", "full-1.png", "full.safetensors"})
            QVERIFY2(!QFileInfo::exists(path(file)), file);
        QCOMPARE(QDir(m_dir.path()).entryList({".pae-*"}, QDir::Files | QDir::Hidden), QStringList{});
    }

    void shouldReplaceOutputs_unlessNoClobber()
    {
        writeAll(path("replace.png"), "old");
        Result r = run({"synthface", "render", "--seed", "1", "--size", "32", "--out", "replace.png"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(readAll(path("replace.png")).startsWith("\x89PNG"));
        r = run({"synthface", "render", "--help"});
        QVERIFY(r.exitCode == 0);
        QProcess help;
        help.start(QStringLiteral(PAE_CLI_PATH), {"generate", "--help"});
        QVERIFY(help.waitForFinished(60000));
        const QString text = QString::fromUtf8(help.readAllStandardOutput());
        QVERIFY2(text.contains("--no-clobber") && text.contains("replaced"), qPrintable(text));
    }

    void shouldCancelGracefully_onASignal_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGTERM") << int(SIGTERM);
    }

    void shouldCancelGracefully_onASignal()
    {
        QFETCH(int, signal);
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("XDG_CACHE_HOME", path("cache"));
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(m_dir.path());
        p.start(QStringLiteral(PAE_CLI_PATH),
                QStringList{"edit"} + models() +
                    QStringList{"--seed", "1", "--prompt", "a happy face", "--steps", "100000", "--out", "c.png",
                                "--latent-out", "c.safetensors", "--metrics-out", "c.json", "--preview-dir", "cprev",
                                "--preview-every", "1"});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QElapsedTimer waited;
        waited.start();
        while (!err.contains("step ") && waited.elapsed() < 120000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardError();
        }
        QVERIFY2(err.contains("step "), err.constData());
        QVERIFY(QFileInfo::exists(path("cprev"))); // previews are being written
        ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(60000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 128 + signal);
        QVERIFY2(err.contains("cancelled"), err.constData());
        for (const char* file : {"c.png", "c.safetensors", "c.json", "cprev"})
            QVERIFY2(!QFileInfo::exists(path(file)), file);
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestCliHardening)
#include "tst_cli_hardening.moc"
