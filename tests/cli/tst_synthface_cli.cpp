#include "TestSupport.h"
#include <QRegularExpression>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

// pae-cli synthface render / captions, run as a user would.
class TestSynthfaceCli : public QObject {
    Q_OBJECT

    using Run = pae::test::CliResult;
    static Run cli(const QStringList& args) { return pae::test::runCli(args, pae::test::CliOptions::timeout(120000)); }

private Q_SLOTS:
    void shouldWriteGridAndAttributes_whenRenderingSeveralFaces()
    {
        QTemporaryDir dir;
        const QString image = dir.filePath("faces.png"), json = dir.filePath("faces.json");
        const Run r = cli({"synthface", "render", "--seed", "10", "--count", "5", "--size", "64", "--out", image,
                           "--attributes-out", json});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile png(image);
        QVERIFY(png.open(QIODevice::ReadOnly));
        QCOMPARE(png.read(4), QByteArray("\x89PNG", 4));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(doc["faces"].size(), size_t(5));
        QCOMPARE(doc["columns"].get<int>(), 3);
        QCOMPARE(doc["faces"][4]["seed"].get<uint64_t>(), uint64_t(14));
        QVERIFY(doc["faces"][0]["attributes"].contains("smile"));
    }

    void shouldPrintOneJsonLinePerFace_forCaptions()
    {
        const Run a = cli({"synthface", "captions", "--seed", "3", "--count", "4", "--per-face", "2"});
        QVERIFY2(a.exitCode == 0, qPrintable(a.err));
        const QStringList lines = a.lines();
        QCOMPARE(lines.size(), 4);
        for (const QString& line : lines) {
            const auto j = nlohmann::json::parse(line.toStdString());
            QCOMPARE(j["captions"].size(), size_t(2));
            QVERIFY(j["attributes"].is_object());
        }
        QCOMPARE(cli({"synthface", "captions", "--seed", "3", "--count", "4", "--per-face", "2"}).out, a.out);
    }

    // The studio's first face on the built-in world: the regressor's most neutral face, and
    // the shipped studio.json names the one it finds among its candidates.
    // An edit on the built-in world runs at its own defaults: λ 2, L2 0.1, no identity term,
    // and the W+ rows its corpus's header names; what the user gives wins.
    void shouldEditAtTheBuiltinWorldsDefaults()
    {
        QTemporaryDir dir;
        auto settingsOf = [&](const QStringList& more) {
            const QString metrics = dir.filePath("m.json");
            QFile::remove(metrics);
            const Run r = cli(QStringList{"edit", "--seed", "3", "--steps", "2", "--out", dir.filePath("x.png"),
                                          "--metrics-out", metrics} +
                              more);
            if (r.exitCode != 0)
                qWarning("%s", qPrintable(r.err));
            QFile f(metrics);
            return f.open(QIODevice::ReadOnly) ? nlohmann::json::parse(f.readAll().toStdString()).at("settings")
                                               : nlohmann::json();
        };
        auto s = settingsOf({"--prompt", "a happy face", "--corpus", "emotion"});
        QCOMPARE(s.at("id_weight").get<double>(), 0.0);
        QCOMPARE(s.at("l2_weight").get<double>(), double(0.1f));
        QCOMPARE(s.at("layers"), nlohmann::json::array());
        QCOMPARE(s.at("lambdas"), nlohmann::json({2.0}));
        s = settingsOf({"--prompt", "a face with big eyes", "--corpus", "eyes"});
        QCOMPARE(s.at("layers"), nlohmann::json({2, 3, 4, 5, 6, 7}));
        s = settingsOf({"--prompt", "a person with long hair", "--corpus", "hairstyle"});
        QCOMPARE(s.at("layers"), nlohmann::json({0, 1, 2, 3}));
        s = settingsOf({"--prompt", "a person with blonde hair", "--corpus", "hair-colour"});
        QCOMPARE(s.at("layers"), nlohmann::json::array());
        s = settingsOf({"--prompt", "a happy face", "--corpus", "emotion", "--id-weight", "0.05", "--layers", "all",
                        "--lambda", "8"});
        QCOMPARE(s.at("id_weight").get<double>(), double(0.05f));
        QCOMPARE(s.at("lambdas"), nlohmann::json({8.0}));
        QCOMPARE(s.at("layers"), nlohmann::json::array());
    }

    void shouldPickANeutralFirstFace_andShipIt()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("studio.json");
        const Run r = cli({"synthface", "neutral-seed", "--count", "40", "--out", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(j.at("first_seed").get<uint64_t>() < 40);
        const auto& reading = j.at("reading");
        QVERIFY2(std::abs(reading.at("smile").get<double>()) < 0.25, qPrintable(r.out));
        QVERIFY2(std::abs(reading.at("brow_angle").get<double>()) < 0.25, qPrintable(r.out));
        QVERIFY2(reading.at("mouth_open").get<double>() < 0.25, qPrintable(r.out));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()), r.out);

        QFile shipped(QStringLiteral(PAE_SOURCE_DIR "/resources/models/synthface/studio.json"));
        QVERIFY2(shipped.open(QIODevice::ReadOnly), "the built-in models ship no studio.json");
        const auto s = nlohmann::json::parse(shipped.readAll().toStdString());
        const QString picked = QString::fromStdString(s.at("picked_by").get<std::string>());
        const QRegularExpression range(QStringLiteral("seeds 0-(\\d+)"));
        const auto m = range.match(picked);
        QVERIFY2(m.hasMatch(), qPrintable(picked));
        const Run again = cli({"synthface", "neutral-seed", "--count", QString::number(m.captured(1).toInt() + 1)});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(nlohmann::json::parse(again.out.toStdString()).at("first_seed"), s.at("first_seed"));
    }

    // One face walked along the bald axis: the world draws baldness at the high end of the
    // coordinate, CLIP sees it there, and the face itself lies where the walk says it does.
    void shouldWalkAFaceAlongAnAttributesAxis()
    {
        QTemporaryDir dir;
        const QString md = dir.filePath("axis.md");
        const QString sheet = dir.filePath("axis.png");
        const Run r = cli({"synthface", "axis", "--seed", "1003", "--attribute", "bald", "--prompt", "a bald person",
                           "--points", "7", "--json", "--out", md, "--sheet", sheet});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // The seven points and the face itself in one row of 128² tiles, 2 pixels apart and around.
        QFile png(sheet);
        QVERIFY(png.open(QIODevice::ReadOnly));
        const QByteArray head = png.read(24); // signature, then IHDR: width and height, big-endian
        QCOMPARE(head.left(4), QByteArray("\x89PNG", 4));
        auto be32 = [&](int at) {
            return (uint32_t(uint8_t(head[at])) << 24) | (uint32_t(uint8_t(head[at + 1])) << 16) |
                   (uint32_t(uint8_t(head[at + 2])) << 8) | uint32_t(uint8_t(head[at + 3]));
        };
        QCOMPARE(be32(16), uint32_t(8 * 128 + 9 * 2));
        QCOMPARE(be32(20), uint32_t(128 + 2 * 2));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j.at("attribute").get<std::string>(), std::string("bald"));
        const auto& points = j.at("points");
        QCOMPARE(points.size(), size_t(7));
        QCOMPARE(points.front().at("u").get<double>(), -3.0);
        QCOMPARE(points.back().at("u").get<double>(), 3.0);
        QVERIFY2(points.front().at("value").get<double>() < 0.5, qPrintable(r.out));
        QVERIFY2(points.back().at("value").get<double>() > 0.5, qPrintable(r.out));
        QVERIFY2(points.back().at("cosine").get<double>() > points.front().at("cosine").get<double>() + 0.05,
                 qPrintable(r.out));
        // The seed's own face, read at its own u, is the face every other command draws: on
        // the smile axis, where every step changes what CLIP and the regressor see.
        const Run smile = cli({"synthface", "axis", "--seed", "1003", "--attribute", "smile", "--prompt",
                               "a happy face", "--points", "5", "--json"});
        QVERIFY2(smile.exitCode == 0, qPrintable(smile.err));
        const auto smiles = nlohmann::json::parse(smile.out.toStdString());
        const auto& face = smiles.at("face");
        const double u = face.at("u").get<double>();
        QVERIFY2(u > -3 && u < 3, qPrintable(smile.out));
        QVERIFY2(smiles.at("points").back().at("value").get<double>() >
                     smiles.at("points").front().at("value").get<double>() + 0.5,
                 qPrintable(smile.out));
        // A happier face is a face CLIP finds happier: the slope an edit starts with.
        QVERIFY2(smiles.at("slope_at_face").get<double>() > 0.02, qPrintable(smile.out));
        const Run again =
            cli({"synthface", "axis", "--seed", "1003", "--attribute", "smile", "--prompt", "a happy face", "--from",
                 QString::number(u, 'g', 17), "--to", "3.5", "--points", "2", "--json"});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        const auto first = nlohmann::json::parse(again.out.toStdString()).at("points").at(0);
        QVERIFY2(std::abs(first.at("cosine").get<double>() - face.at("cosine").get<double>()) < 1e-4,
                 qPrintable(again.out));
        QVERIFY2(std::abs(first.at("value").get<double>() - face.at("value").get<double>()) < 1e-3,
                 qPrintable(again.out));
        QFile f(md);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(f.readAll()).contains("(this face)"));

        const Run colour = cli({"synthface", "axis", "--seed", "1003", "--attribute", "hair_color", "--prompt",
                                "a person with black hair", "--points", "2", "--json"});
        QVERIFY2(colour.exitCode == 0, qPrintable(colour.err));
        const auto black = nlohmann::json::parse(colour.out.toStdString()).at("points").at(0);
        QCOMPARE(black.at("likeliest").get<std::string>(), std::string("black"));
        QVERIFY(black.at("hair_color").at("black").get<double>() > 0.5);
    }

    void shouldNameTheOption_whenAnAxisIsAskedWrongly()
    {
        QTemporaryDir dir;
        const QString md = dir.filePath("axis.md");
        const Run unknown =
            cli({"synthface", "axis", "--seed", "1", "--attribute", "hat", "--prompt", "a hat", "--out", md});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains("--attribute: unknown attribute 'hat'"), qPrintable(unknown.err));
        QVERIFY2(unknown.err.contains("bald"), qPrintable(unknown.err));
        const Run far = cli({"synthface", "axis", "--seed", "1", "--attribute", "bald", "--prompt", "a bald person",
                             "--to", "5", "--out", md});
        QCOMPARE(far.exitCode, 2);
        QVERIFY2(far.err.contains("from/to"), qPrintable(far.err));
        const Run empty = cli({"synthface", "axis", "--seed", "1", "--attribute", "bald", "--prompt", "", "--out", md});
        QCOMPARE(empty.exitCode, 2);
        QVERIFY2(empty.err.contains("prompt: empty"), qPrintable(empty.err));
        const Run notImage = cli({"synthface", "axis", "--seed", "1", "--attribute", "bald", "--prompt",
                                  "a bald person", "--out", md, "--sheet", dir.filePath("faces.txt")});
        QCOMPARE(notImage.exitCode, 2);
        QVERIFY2(notImage.err.contains("--sheet") && notImage.err.contains("faces.txt"), qPrintable(notImage.err));
        QVERIFY(!QFile::exists(md));
    }

    void shouldExitWithUsageError_whenSizeIsBad()
    {
        QTemporaryDir dir;
        const Run r = cli({"synthface", "render", "--seed", "1", "--size", "8", "--out", dir.filePath("x.png")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.startsWith("error: --size 8"));
        QVERIFY(!QFile::exists(dir.filePath("x.png")));
    }

    // A setting chosen on some faces is checked on others: --first-seed names the first face.
    void shouldEditTheFacesFromTheFirstSeedGiven()
    {
        QTemporaryDir dir;
        const QString md = dir.filePath("eval.md");
        const Run r = cli({"synthface", "eval", "--first-seed", "1003", "--faces", "1", "--steps", "2", "--lambdas",
                           "5,8", "--corpus", "mouth", "--targets", "text", "--out", md});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QFile f(md);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY2(text.contains(QStringLiteral("1 face (seed 1003)")), qPrintable(text));
    }

    // The inversion benchmark, run as a user would: one JSON object; its options belong to it.
    void shouldMeasureInversion_andRefuseItsOptionsAlone()
    {
        Run r = cli({"synthface", "eval", "--inversion", "--faces", "1", "--invert-steps", "4", "--perceptual", "0.05",
                     "--first-seed", "90007", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j.at("faces").get<int>(), 1);
        QCOMPARE(j.at("first_seed").get<uint64_t>(), uint64_t(90007));
        QCOMPARE(j.at("steps").get<int>(), 4);
        QCOMPARE(j.at("perceptual").get<double>(), double(0.05f));
        QVERIFY(j.at("psnr").at(0).get<double>() > 10);
        QVERIFY(j.at("change_by_attribute").contains("glasses"));
        r = cli({"synthface", "eval", "--perceptual", "0.05"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("error: --perceptual belongs to --inversion"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestSynthfaceCli)
#include "tst_synthface_cli.moc"
