#include "ui/session/Session.h"

#include "core/util/error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace pae::ui;

namespace {
pae::Latent latent(int n, int d, float base)
{
    pae::Latent l;
    l.numLatents = n;
    l.styleDim = d;
    for (int i = 0; i < n * d; ++i)
        l.values.push_back(base + 0.37f * float(i) - 1e-7f * float(i * i));
    return l;
}

pae::EditRequest settings()
{
    pae::EditRequest r; // the in-class values; every field is then set to something non-default
    r.target = pae::TargetKind::Pae;
    r.basis = pae::BasisKind::GramSchmidt;
    r.pcaComponents = 7;
    r.lambdas = {2.5f, 5.f};
    r.steps = 120;
    r.learningRate = 0.05f;
    r.l2Weight = 0.012f;
    r.idWeight = 0.003f;
    r.resolution = pae::ResolutionMode::Full;
    r.layers = {0, 1, 2, 5};
    r.sharedOffset = true;
    r.seed = 18446744073709551615ull;
    r.previewEvery = 5;
    r.previewSize = 128;
    return r;
}

void compareSettings(const pae::EditRequest& a, const pae::EditRequest& b)
{
    QCOMPARE(int(a.target), int(b.target));
    QCOMPARE(int(a.basis), int(b.basis));
    QCOMPARE(a.pcaComponents, b.pcaComponents);
    QCOMPARE(a.lambdas, b.lambdas);
    QCOMPARE(a.steps, b.steps);
    QCOMPARE(a.learningRate, b.learningRate);
    QCOMPARE(a.l2Weight, b.l2Weight);
    QCOMPARE(a.idWeight, b.idWeight);
    QCOMPARE(int(a.resolution), int(b.resolution));
    QCOMPARE(a.layers, b.layers);
    QCOMPARE(a.sharedOffset, b.sharedOffset);
    QCOMPARE(a.seed, b.seed);
    QCOMPARE(a.previewEvery, b.previewEvery);
    QCOMPARE(a.previewSize, b.previewSize);
}

SessionData sample()
{
    SessionData d;
    d.settings = settings();
    d.prompt = QStringLiteral("a surprised face — ünïcödé");
    d.corpus = QStringLiteral("/data/prompts/emotion.txt");
    d.lambdaList = QStringLiteral("2, 5, 8");
    HistoryEntry src;
    src.kind = HistoryEntry::Kind::Seed;
    src.seed = 42;
    src.label = QStringLiteral("Seed 42");
    src.latent = latent(4, 8, -1.f);
    d.entries << src;
    for (int i = 0; i < 2; ++i) {
        HistoryEntry e;
        e.kind = HistoryEntry::Kind::Edit;
        e.label = QStringLiteral("edit %1").arg(i);
        e.prompt = QStringLiteral("a happy face");
        e.corpus = d.corpus;
        e.settings = settings();
        e.settings.lambdas = {float(i + 3)};
        e.lambda = float(i + 3);
        e.hasMetrics = true;
        e.metrics = {float(i + 3), 0.81f, 1.f, 0.02f, 0.33f};
        e.sweepId = 7;
        e.latent = latent(4, 8, float(i));
        d.entries << e;
    }
    d.current = 1;
    d.generatorHash = QStringLiteral("0123456789abcdef");
    d.generatorDescription = QStringLiteral("generator.safetensors — StyleGAN2 64²");
    return d;
}
} // namespace

class TestSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldKeepAnInvertedPhotoAsTheSource()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("p.paesession");
        SessionData d = sample();
        d.entries[0].kind = HistoryEntry::Kind::Photo;
        d.entries[0].sourceFile = QStringLiteral("/photos/me.png");
        d.entries[0].label = QStringLiteral("me.png (inverted, 24.1 dB)");
        Session::save(d, path, false);
        const SessionData back = Session::load(path);
        QCOMPARE(int(back.entries[0].kind), int(HistoryEntry::Kind::Photo));
        QCOMPARE(back.entries[0].sourceFile, d.entries[0].sourceFile);
        QCOMPARE(back.entries[0].label, d.entries[0].label);
        QCOMPARE(back.entries[0].latent.values, d.entries[0].latent.values);
    }

    // Where the face sits in its photo travels with the session (not the photo's pixels).
    void shouldKeepWhereAPhotosFaceSits()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("p.paesession");
        SessionData d = sample();
        d.entries[0].kind = HistoryEntry::Kind::Photo;
        d.entries[0].sourceFile = QStringLiteral("/photos/two.png");
        auto placement = std::make_shared<PhotoPlacement>();
        placement->path = d.entries[0].sourceFile;
        placement->sha256 = "0123abcd";
        placement->photo = {1024, 512, std::vector<uint8_t>(1024 * 512 * 3, 7)};
        for (size_t i = 0; i < 68; ++i)
            placement->landmarks.points[i] = {100.5 + double(i), 200.25 - double(i)};
        placement->landmarks.box = {80, 90, 150, 151};
        placement->quad.corners = {{{10.5, 20.5}, {10.5, 300.5}, {290.5, 300.5}, {290.5, 20.5}}};
        placement->cropSize = 256;
        placement->face = 1;
        placement->facesFound = 2;
        placement->faceBoxes = {{600, 90, 150, 151}, {80, 90, 150, 151}};
        d.entries[0].placement = placement;
        Session::save(d, path, false);
        const SessionData back = Session::load(path);
        const auto& p = back.entries[0].placement;
        QVERIFY(p);
        QCOMPARE(p->path, placement->path);
        QCOMPARE(p->sha256, placement->sha256);
        QCOMPARE(p->photo.width, 1024);
        QCOMPARE(p->photo.height, 512);
        QVERIFY(p->photo.pixels.empty()); // read again from the photo when the session opens
        QCOMPARE(p->landmarks.points[67][0], placement->landmarks.points[67][0]);
        QCOMPARE(p->landmarks.points[3][1], placement->landmarks.points[3][1]);
        QVERIFY(p->landmarks.box == placement->landmarks.box);
        QCOMPARE(p->quad.corners[2][0], 290.5);
        QCOMPARE(p->cropSize, 256);
        QCOMPARE(p->face, 1);
        QCOMPARE(p->facesFound, 2);
        QVERIFY(p->faceBoxes == placement->faceBoxes);
        // A broken placement names its field.
        QByteArray json = Session::toJson(d);
        json.replace("\"cropSize\": 256", "\"cropSize\": -3");
        try {
            Session::fromJson(json, QStringLiteral("b.paesession"));
            QFAIL("no error");
        } catch (const pae::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("b.paesession: history[0].photo.cropSize")),
                     e.what());
        }
        // A photo entry without a placement (not aligned, or an older session) stays without.
        d.entries[0].placement = nullptr;
        QVERIFY(!Session::fromJson(Session::toJson(d), QStringLiteral("c")).entries[0].placement);
    }

    // Several faces of one photo, each with its own history: all travel with the session, and
    // a file that mixes photos or names a face twice is refused naming the field.
    void shouldKeepTheOtherFacesOfThePhoto()
    {
        const auto photoFace = [](int face, float base) {
            HistoryEntry src;
            src.kind = HistoryEntry::Kind::Photo;
            src.sourceFile = QStringLiteral("/photos/two.png");
            src.label = QStringLiteral("two.png, face %1").arg(face);
            src.latent = latent(4, 8, base);
            auto p = std::make_shared<PhotoPlacement>();
            p->path = src.sourceFile;
            p->sha256 = "feed";
            p->photo = {640, 320, {}};
            p->cropSize = 256;
            p->face = face;
            p->facesFound = 3;
            p->faceBoxes = {{20, 20, 100, 100}, {300, 20, 90, 90}, {500, 40, 60, 60}};
            src.placement = p;
            return src;
        };
        SessionData d = sample();
        d.entries[0] = photoFace(0, 3.f);
        FaceWork other;
        other.entries << photoFace(2, 5.f) << d.entries[1] << d.entries[2];
        other.current = 2;
        d.otherFaces << other;
        const SessionData back = Session::fromJson(Session::toJson(d), QStringLiteral("s.paesession"));
        QCOMPARE(back.otherFaces.size(), 1);
        QCOMPARE(back.otherFaces[0].current, 2);
        QCOMPARE(back.otherFaces[0].entries.size(), 3);
        QCOMPARE(back.otherFaces[0].entries[0].placement->face, 2);
        QCOMPARE(back.otherFaces[0].entries[0].latent.values, other.entries[0].latent.values);
        QCOMPARE(back.otherFaces[0].entries[2].latent.values, other.entries[2].latent.values);
        QCOMPARE(back.otherFaces[0].entries[2].prompt, other.entries[2].prompt);
        // A session without other faces writes no field for them (older builds read it as before).
        SessionData alone = d;
        alone.otherFaces.clear();
        QVERIFY(!Session::toJson(alone).contains("otherFaces"));

        const auto refused = [](const SessionData& bad) {
            try {
                Session::fromJson(Session::toJson(bad), QStringLiteral("b.paesession"));
            } catch (const pae::Error& e) {
                return QString::fromUtf8(e.what());
            }
            return QString();
        };
        SessionData twice = d;
        twice.otherFaces[0].entries[0] = photoFace(0, 5.f);
        QCOMPARE(refused(twice), QStringLiteral("b.paesession: otherFaces[0].history[0].photo.face: face 0 is in the "
                                                "session twice"));
        SessionData elsewhere = d;
        auto moved = std::make_shared<PhotoPlacement>(*other.entries[0].placement);
        moved->path = QStringLiteral("/photos/three.png");
        elsewhere.otherFaces[0].entries[0].placement = moved;
        QVERIFY2(refused(elsewhere).startsWith(QStringLiteral("b.paesession: otherFaces[0].history[0].photo: "
                                                              "/photos/three.png is not the photo of history[0]")),
                 qPrintable(refused(elsewhere)));
        SessionData badIndex = d;
        badIndex.otherFaces[0].current = 7;
        QCOMPARE(refused(badIndex), QStringLiteral("b.paesession: otherFaces[0].current: 7 is not an index into the 3 "
                                                   "history entries"));
        SessionData seed = d;
        seed.entries[0] = sample().entries[0];
        QVERIFY2(refused(seed).startsWith(QStringLiteral("b.paesession: otherFaces: only a face taken from a photo")),
                 qPrintable(refused(seed)));
    }

    void shouldRestoreSettingsAndHistory_whenSavedAndLoaded()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("s.paesession");
        const SessionData d = sample();
        Session::save(d, path, false);
        const SessionData back = Session::load(path);
        compareSettings(back.settings, d.settings);
        QCOMPARE(back.prompt, d.prompt);
        QCOMPARE(back.corpus, d.corpus);
        QCOMPARE(back.lambdaList, d.lambdaList);
        QCOMPARE(back.current, 1);
        QCOMPARE(back.entries.size(), 3);
        QCOMPARE(int(back.entries[0].kind), int(HistoryEntry::Kind::Seed));
        QCOMPARE(back.entries[0].seed, quint64(42));
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(back.entries[i].label, d.entries[i].label);
            QCOMPARE(back.entries[i].latent.numLatents, 4);
            QCOMPARE(back.entries[i].latent.styleDim, 8);
            // Bit-exact: latents travel as raw float32.
            QCOMPARE(back.entries[i].latent.values, d.entries[i].latent.values);
            QCOMPARE(back.entries[i].created.toMSecsSinceEpoch(), d.entries[i].created.toMSecsSinceEpoch());
        }
        const HistoryEntry& e = back.entries[2];
        QCOMPARE(e.prompt, QStringLiteral("a happy face"));
        QCOMPARE(e.lambda, 4.f);
        QVERIFY(e.hasMetrics);
        QCOMPARE(e.metrics.clipToTarget, 0.81f);
        QCOMPARE(e.metrics.loss, 0.33f);
        QCOMPARE(e.sweepId, quint64(7));
        compareSettings(e.settings, d.entries[2].settings);
        QCOMPARE(back.generatorHash, d.generatorHash);
        QCOMPARE(back.generatorDescription, d.generatorDescription);
        // Saving what was loaded gives the same file.
        QCOMPARE(Session::toJson(back), Session::toJson(d));
    }

    void shouldReadASessionFromBeforeLatentRows_asEveryRowInWPlus()
    {
        // The session's settings and every history entry's, without the two keys.
        QJsonObject root = QJsonDocument::fromJson(Session::toJson(sample())).object();
        int stripped = 0;
        auto strip = [&stripped](QJsonObject o) {
            stripped += o.contains(QStringLiteral("layers")) && o.contains(QStringLiteral("space")) ? 1 : 0;
            o.remove(QStringLiteral("layers"));
            o.remove(QStringLiteral("space"));
            return o;
        };
        QJsonObject settings = root.value(QStringLiteral("settings")).toObject();
        root[QStringLiteral("settings")] = strip(settings);
        QJsonArray history = root.value(QStringLiteral("history")).toArray();
        for (int i = 0; i < history.size(); ++i) {
            QJsonObject e = history[i].toObject();
            if (e.contains(QStringLiteral("settings")))
                e[QStringLiteral("settings")] = strip(e.value(QStringLiteral("settings")).toObject());
            history[i] = e;
        }
        root[QStringLiteral("history")] = history;
        QVERIFY(stripped >= 2);
        const SessionData back = Session::fromJson(QJsonDocument(root).toJson(), QStringLiteral("old.paesession"));
        QVERIFY(back.settings.layers.empty());
        QVERIFY(!back.settings.sharedOffset);
        for (const auto& e : back.entries)
            QVERIFY(e.settings.layers.empty() && !e.settings.sharedOffset);
    }

    // Sessions saved before the generator was recorded open as before, saying nothing about it.
    void shouldReadASessionWithoutItsGenerator_asUnrecorded()
    {
        QJsonObject root = QJsonDocument::fromJson(Session::toJson(sample())).object();
        QVERIFY(root.contains(QStringLiteral("generator")));
        root.remove(QStringLiteral("generator"));
        const SessionData back = Session::fromJson(QJsonDocument(root).toJson(), QStringLiteral("old.paesession"));
        QVERIFY(back.generatorHash.isEmpty());
        QCOMPARE(back.entries.size(), 3);
    }

    void shouldRefuseToOverwrite_whenNotAskedTo()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("s.paesession");
        Session::save(sample(), path, false);
        QVERIFY_THROWS_EXCEPTION(pae::Error, Session::save(sample(), path, false));
        Session::save(sample(), path, true);
    }

    void shouldNameTheField_whenTheFileIsBroken_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("target") << QByteArray("\"target\": \"pae\"") << QByteArray("\"target\": \"magic\"")
                                << "settings.target";
        QTest::newRow("current") << QByteArray("\"current\": 1") << QByteArray("\"current\": 9") << "current";
        QTest::newRow("format") << QByteArray("pae-studio-session") << QByteArray("something-else")
                                << "not a PAE Studio session";
        QTest::newRow("latent size") << QByteArray("\"styleDim\": 8") << QByteArray("\"styleDim\": 9")
                                     << "history[0].latent";
        QTest::newRow("json") << QByteArray("{") << QByteArray("[[") << "not valid JSON";
        // The fuzzer's finding (tests/fuzz/findings/session-steps-8.9e116.paesession): a number
        // no int holds is an error, not undefined behaviour in a cast.
        QTest::newRow("huge steps") << QByteArray("\"steps\": 120") << QByteArray("\"steps\": 8.9e116")
                                    << "settings.steps";
        QTest::newRow("space") << QByteArray("\"space\": \"w\"") << QByteArray("\"space\": \"z\"") << "settings.space";
        QTest::newRow("layers") << QByteArray("\"layers\": [") << QByteArray("\"layers\": [-1, ") << "settings.layers";
        QTest::newRow("generator hash") << QByteArray("\"hash\": \"0123456789abcdef\"") << QByteArray("\"hash\": 12")
                                        << "generator.hash";
        QTest::newRow("huge lambda") << QByteArray("\"lambda\": 3") << QByteArray("\"lambda\": 1e300")
                                     << "history[1].lambda";
    }
    void shouldNameTheField_whenTheFileIsBroken()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QString, mentions);
        QByteArray json = Session::toJson(sample());
        QVERIFY(json.contains(from));
        const int at = json.indexOf(from);
        json.replace(at, from.size(), to);
        try {
            Session::fromJson(json, QStringLiteral("broken.paesession"));
            QFAIL("no error");
        } catch (const pae::Error& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.startsWith(QStringLiteral("broken.paesession: ")) && message.contains(mentions),
                     qPrintable(message));
        }
    }
};

QTEST_MAIN(TestSession)
#include "tst_session.moc"
