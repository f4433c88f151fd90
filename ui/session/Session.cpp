#include "ui/session/Session.h"

#include "ui/session/AtomicWrite.h"

#include "core/util/error.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace pae::ui {

namespace {

const char* const kFormat = "pae-studio-session";

[[noreturn]] void fail(const QString& origin, const QString& what)
{
    throw pae::Error((origin + QStringLiteral(": ") + what).toStdString());
}

// Enum fields are spelled by core (core/edit/types.h), as pae-cli spells them.
template <typename Enum>
Enum parseEnum(Enum (*parse)(const std::string&), const QString& text, const QString& origin, const QString& field)
{
    try {
        return parse(text.toStdString());
    } catch (const pae::Error& e) {
        // core's message starts with the key ("target: 'magic' is not one of …"); prefixing
        // the field path makes it "settings.target: …", the path in this file.
        fail(origin, field + QLatin1Char('.') + QString::fromUtf8(e.what()));
    }
}

QJsonObject latentToJson(const pae::Latent& latent)
{
    QByteArray bytes(int(latent.values.size() * sizeof(float)), Qt::Uninitialized);
    for (size_t i = 0; i < latent.values.size(); ++i)
        qToLittleEndian(latent.values[i], bytes.data() + i * sizeof(float));
    return {{QStringLiteral("numLatents"), latent.numLatents},
            {QStringLiteral("styleDim"), latent.styleDim},
            {QStringLiteral("float32le"), QString::fromLatin1(bytes.toBase64())}};
}

pae::Latent latentFromJson(const QJsonValue& v, const QString& origin, const QString& field)
{
    const QJsonObject o = v.toObject();
    pae::Latent latent;
    latent.numLatents = o.value(QStringLiteral("numLatents")).toInt(-1);
    latent.styleDim = o.value(QStringLiteral("styleDim")).toInt(-1);
    const QByteArray bytes = QByteArray::fromBase64(o.value(QStringLiteral("float32le")).toString().toLatin1());
    if (latent.numLatents <= 0 || latent.styleDim <= 0)
        fail(origin, field + QStringLiteral(": numLatents and styleDim must be positive"));
    const qint64 expected = qint64(latent.numLatents) * latent.styleDim * qint64(sizeof(float));
    if (bytes.size() != expected)
        fail(origin, QStringLiteral("%1: %2 bytes of latent data, expected %3 (%4×%5 float32)")
                         .arg(field)
                         .arg(bytes.size())
                         .arg(expected)
                         .arg(latent.numLatents)
                         .arg(latent.styleDim));
    latent.values.resize(size_t(latent.numLatents) * size_t(latent.styleDim));
    for (size_t i = 0; i < latent.values.size(); ++i) {
        latent.values[i] = qFromLittleEndian<float>(bytes.constData() + i * sizeof(float));
        if (!std::isfinite(latent.values[i]))
            fail(origin, field + QStringLiteral(": the latent holds NaN or Inf"));
    }
    return latent;
}

QJsonObject settingsToJson(const pae::EditRequest& r)
{
    QJsonArray lambdas;
    for (float l : r.lambdas)
        lambdas.append(double(l));
    QJsonArray layers;
    for (int row : r.layers)
        layers.append(row);
    return {{QStringLiteral("target"), QString::fromStdString(pae::toString(r.target))},
            {QStringLiteral("basis"), QString::fromStdString(pae::toString(r.basis))},
            {QStringLiteral("pcaComponents"), r.pcaComponents},
            {QStringLiteral("lambdas"), lambdas},
            {QStringLiteral("steps"), r.steps},
            {QStringLiteral("learningRate"), double(r.learningRate)},
            {QStringLiteral("l2Weight"), double(r.l2Weight)},
            {QStringLiteral("idWeight"), double(r.idWeight)},
            {QStringLiteral("resolution"), QString::fromStdString(pae::toString(r.resolution))},
            {QStringLiteral("layers"), layers},
            {QStringLiteral("space"), r.sharedOffset ? QStringLiteral("w") : QStringLiteral("w+")},
            {QStringLiteral("seed"), QString::number(r.seed)},
            {QStringLiteral("previewEvery"), r.previewEvery},
            {QStringLiteral("previewSize"), r.previewSize}};
}

pae::EditRequest settingsFromJson(const QJsonValue& v, const QString& origin, const QString& field)
{
    if (!v.isObject())
        fail(origin, field + QStringLiteral(": missing or not an object"));
    const QJsonObject o = v.toObject();
    pae::EditRequest r; // in-class initializers; every field below is read from the file
    auto number = [&](const char* key) {
        const QJsonValue x = o.value(QLatin1String(key));
        if (!x.isDouble())
            fail(origin, QStringLiteral("%1.%2: missing or not a number").arg(field, QLatin1String(key)));
        return x.toDouble();
    };
    // JSON numbers are doubles: one too large for an int or a float is an error here, not
    // undefined behaviour in a cast (the session fuzzer found steps = 8.9e116).
    auto integer = [&](const char* key) {
        const double x = number(key);
        if (!(x >= -1e9 && x <= 1e9) || x != std::floor(x))
            fail(origin,
                 QStringLiteral("%1.%2: %3 is not a whole number within ±10⁹").arg(field, QLatin1String(key)).arg(x));
        return int(x);
    };
    auto real = [&](double x, const QString& key) {
        if (!std::isfinite(x) || std::abs(x) > 1e30)
            fail(origin, QStringLiteral("%1.%2: %3 is not a finite number within ±10³⁰").arg(field, key).arg(x));
        return float(x);
    };
    auto text = [&](const char* key) {
        const QJsonValue x = o.value(QLatin1String(key));
        if (!x.isString())
            fail(origin, QStringLiteral("%1.%2: missing or not a string").arg(field, QLatin1String(key)));
        return x.toString();
    };
    r.target = parseEnum(&pae::parseTargetKind, text("target"), origin, field);
    r.basis = parseEnum(&pae::parseBasisKind, text("basis"), origin, field);
    r.resolution = parseEnum(&pae::parseResolutionMode, text("resolution"), origin, field);
    r.pcaComponents = integer("pcaComponents");
    r.steps = integer("steps");
    r.learningRate = real(number("learningRate"), QStringLiteral("learningRate"));
    r.l2Weight = real(number("l2Weight"), QStringLiteral("l2Weight"));
    r.idWeight = real(number("idWeight"), QStringLiteral("idWeight"));
    r.previewEvery = integer("previewEvery");
    r.previewSize = integer("previewSize");
    bool ok = false;
    r.seed = text("seed").toULongLong(&ok);
    if (!ok)
        fail(origin, field + QStringLiteral(".seed: not an unsigned integer"));
    // Rows and space came later: a session without them edits every row in W+, as it did.
    if (o.contains(QStringLiteral("layers"))) {
        const QJsonValue layers = o.value(QStringLiteral("layers"));
        if (!layers.isArray())
            fail(origin, field + QStringLiteral(".layers: not a list of row numbers"));
        for (const QJsonValue& row : layers.toArray()) {
            if (!row.isDouble() || row.toDouble() != std::floor(row.toDouble()) || row.toDouble() < 0 ||
                row.toDouble() > 4096)
                fail(origin, field + QStringLiteral(".layers: not a list of row numbers from 0 to 4096"));
            if (std::find(r.layers.begin(), r.layers.end(), int(row.toDouble())) != r.layers.end())
                fail(origin, field + QStringLiteral(".layers: row %1 is listed twice").arg(row.toDouble()));
            r.layers.push_back(int(row.toDouble()));
        }
    }
    if (o.contains(QStringLiteral("space"))) {
        const QString space = text("space");
        if (space != QStringLiteral("w") && space != QStringLiteral("w+"))
            fail(origin, field + QStringLiteral(".space: '%1' is not w or w+").arg(space));
        r.sharedOffset = space == QStringLiteral("w");
    }
    r.lambdas.clear();
    for (const QJsonValue& l : o.value(QStringLiteral("lambdas")).toArray()) {
        if (!l.isDouble())
            fail(origin, field + QStringLiteral(".lambdas: not a list of numbers"));
        r.lambdas.push_back(real(l.toDouble(), QStringLiteral("lambdas")));
    }
    return r;
}

QString kindName(HistoryEntry::Kind k)
{
    switch (k) {
    case HistoryEntry::Kind::Seed:
        return QStringLiteral("seed");
    case HistoryEntry::Kind::LatentFile:
        return QStringLiteral("latent-file");
    case HistoryEntry::Kind::Photo:
        return QStringLiteral("photo");
    case HistoryEntry::Kind::Edit:
        break;
    }
    return QStringLiteral("edit");
}

HistoryEntry::Kind kindFromJson(const QJsonObject& o, const QString& origin, const QString& field)
{
    const QString kind = o.value(QStringLiteral("kind")).toString();
    for (HistoryEntry::Kind k : {HistoryEntry::Kind::Seed, HistoryEntry::Kind::LatentFile, HistoryEntry::Kind::Photo,
                                 HistoryEntry::Kind::Edit})
        if (kind == kindName(k))
            return k;
    fail(origin, QStringLiteral("%1.kind: “%2” is not seed, latent-file, photo or edit").arg(field, kind));
}

QJsonArray pointsToJson(const pae::Point2* points, size_t count)
{
    QJsonArray a;
    for (size_t i = 0; i < count; ++i)
        a.append(QJsonArray{points[i][0], points[i][1]});
    return a;
}

QJsonObject placementToJson(const PhotoPlacement& p)
{
    QJsonArray boxes;
    for (const auto& b : p.faceBoxes)
        boxes.append(QJsonArray{b[0], b[1], b[2], b[3]});
    return {{QStringLiteral("path"), p.path},
            {QStringLiteral("sha256"), QString::fromLatin1(p.sha256)},
            {QStringLiteral("width"), p.photo.width},
            {QStringLiteral("height"), p.photo.height},
            {QStringLiteral("quad"), pointsToJson(p.quad.corners.data(), p.quad.corners.size())},
            {QStringLiteral("landmarks"), pointsToJson(p.landmarks.points.data(), p.landmarks.points.size())},
            {QStringLiteral("box"),
             QJsonArray{p.landmarks.box[0], p.landmarks.box[1], p.landmarks.box[2], p.landmarks.box[3]}},
            {QStringLiteral("cropSize"), p.cropSize},
            {QStringLiteral("face"), p.face},
            {QStringLiteral("facesFound"), p.facesFound},
            {QStringLiteral("faceBoxes"), boxes}};
}

void pointsFromJson(const QJsonValue& v, pae::Point2* points, size_t count, const QString& origin, const QString& field)
{
    const QJsonArray a = v.toArray();
    if (!v.isArray() || size_t(a.size()) != count)
        fail(origin, QStringLiteral("%1: expected %2 points [x, y]").arg(field).arg(count));
    for (size_t i = 0; i < count; ++i) {
        const QJsonArray xy = a.at(qsizetype(i)).toArray();
        if (xy.size() != 2)
            fail(origin, QStringLiteral("%1[%2]: expected [x, y]").arg(field).arg(i));
        for (int k = 0; k < 2; ++k) {
            // Doubles, kept exactly: the face goes back where it was cut from.
            const double x = xy.at(k).toDouble(std::nan(""));
            if (!std::isfinite(x) || std::abs(x) > 1e9)
                fail(origin, QStringLiteral("%1[%2][%3]: not a finite number within ±10⁹").arg(field).arg(i).arg(k));
            points[i][size_t(k)] = x;
        }
    }
}

int wholeNumber(const QJsonValue& v, int lo, int hi, const QString& origin, const QString& field)
{
    const double x = v.toDouble(-1e300);
    if (!v.isDouble() || x != std::floor(x) || x < lo || x > hi)
        fail(origin, QStringLiteral("%1: expected a whole number from %2 to %3").arg(field).arg(lo).arg(hi));
    return int(x);
}

std::array<int, 4> boxFromJson(const QJsonValue& v, const QString& origin, const QString& field)
{
    const QJsonArray a = v.toArray();
    if (a.size() != 4)
        fail(origin, QStringLiteral("%1: expected [left, top, width, height]").arg(field));
    std::array<int, 4> b{};
    for (int k = 0; k < 4; ++k)
        b[size_t(k)] = wholeNumber(a.at(k), -1000000, 1000000, origin, QStringLiteral("%1[%2]").arg(field).arg(k));
    return b;
}

// The placement without the photo's pixels: MainWindow reads the photo again.
std::shared_ptr<const PhotoPlacement> placementFromJson(const QJsonValue& v, const QString& origin,
                                                        const QString& field)
{
    if (!v.isObject())
        fail(origin, QStringLiteral("%1: expected an object").arg(field));
    const QJsonObject o = v.toObject();
    auto p = std::make_shared<PhotoPlacement>();
    p->path = o.value(QStringLiteral("path")).toString();
    if (p->path.isEmpty())
        fail(origin, QStringLiteral("%1.path: missing").arg(field));
    p->sha256 = o.value(QStringLiteral("sha256")).toString().toLatin1();
    p->photo.width =
        wholeNumber(o.value(QStringLiteral("width")), 1, 1000000, origin, field + QStringLiteral(".width"));
    p->photo.height =
        wholeNumber(o.value(QStringLiteral("height")), 1, 1000000, origin, field + QStringLiteral(".height"));
    pointsFromJson(o.value(QStringLiteral("quad")), p->quad.corners.data(), p->quad.corners.size(), origin,
                   field + QStringLiteral(".quad"));
    pointsFromJson(o.value(QStringLiteral("landmarks")), p->landmarks.points.data(), p->landmarks.points.size(), origin,
                   field + QStringLiteral(".landmarks"));
    p->landmarks.box = boxFromJson(o.value(QStringLiteral("box")), origin, field + QStringLiteral(".box"));
    p->cropSize =
        wholeNumber(o.value(QStringLiteral("cropSize")), 1, 4096, origin, field + QStringLiteral(".cropSize"));
    p->facesFound =
        wholeNumber(o.value(QStringLiteral("facesFound")), 1, 100000, origin, field + QStringLiteral(".facesFound"));
    p->face =
        wholeNumber(o.value(QStringLiteral("face")), 0, p->facesFound - 1, origin, field + QStringLiteral(".face"));
    const QJsonArray boxes = o.value(QStringLiteral("faceBoxes")).toArray();
    for (qsizetype k = 0; k < boxes.size(); ++k)
        p->faceBoxes.push_back(boxFromJson(boxes.at(k), origin, QStringLiteral("%1.faceBoxes[%2]").arg(field).arg(k)));
    return p;
}

QJsonObject entryToJson(const HistoryEntry& e)
{
    QJsonObject o{{QStringLiteral("kind"), kindName(e.kind)},
                  {QStringLiteral("label"), e.label},
                  {QStringLiteral("created"), e.created.toString(Qt::ISODateWithMs)},
                  {QStringLiteral("latent"), latentToJson(e.latent)}};
    if (e.kind == HistoryEntry::Kind::Seed)
        o.insert(QStringLiteral("seed"), QString::number(e.seed));
    if (e.kind == HistoryEntry::Kind::LatentFile || e.kind == HistoryEntry::Kind::Photo)
        o.insert(QStringLiteral("sourceFile"), e.sourceFile);
    if (e.kind == HistoryEntry::Kind::Photo && e.placement)
        o.insert(QStringLiteral("photo"), placementToJson(*e.placement));
    if (e.kind == HistoryEntry::Kind::Edit) {
        o.insert(QStringLiteral("prompt"), e.prompt);
        o.insert(QStringLiteral("corpus"), e.corpus);
        o.insert(QStringLiteral("settings"), settingsToJson(e.settings));
        o.insert(QStringLiteral("lambda"), double(e.lambda));
        o.insert(QStringLiteral("sweepId"), QString::number(e.sweepId));
        if (e.hasMetrics)
            o.insert(QStringLiteral("metrics"), [&e] {
                QJsonObject m{{QStringLiteral("lambda"), double(e.metrics.lambda)},
                              {QStringLiteral("clipToTarget"), double(e.metrics.clipToTarget)},
                              {QStringLiteral("l2"), double(e.metrics.l2)},
                              {QStringLiteral("loss"), double(e.metrics.loss)}};
                if (e.metrics.idSimilarity)
                    m.insert(QStringLiteral("identitySimilarity"), double(*e.metrics.idSimilarity));
                return m;
            }());
    }
    return o;
}

float finiteFloat(const QJsonValue& v, const QString& origin, const QString& field)
{
    const double x = v.toDouble();
    if (!std::isfinite(x) || std::abs(x) > 1e30)
        fail(origin, QStringLiteral("%1: %2 is not a finite number within ±10³⁰").arg(field).arg(x));
    return float(x);
}

HistoryEntry entryFromJson(const QJsonObject& o, HistoryEntry::Kind kind, const QString& origin, const QString& field)
{
    HistoryEntry e;
    e.kind = kind;
    e.label = o.value(QStringLiteral("label")).toString();
    e.created = QDateTime::fromString(o.value(QStringLiteral("created")).toString(), Qt::ISODateWithMs);
    e.latent = latentFromJson(o.value(QStringLiteral("latent")), origin, field + QStringLiteral(".latent"));
    e.seed = o.value(QStringLiteral("seed")).toString().toULongLong();
    e.sourceFile = o.value(QStringLiteral("sourceFile")).toString();
    if (e.kind == HistoryEntry::Kind::Photo && o.contains(QStringLiteral("photo")))
        e.placement = placementFromJson(o.value(QStringLiteral("photo")), origin, field + QStringLiteral(".photo"));
    if (e.kind == HistoryEntry::Kind::Edit) {
        e.prompt = o.value(QStringLiteral("prompt")).toString();
        e.corpus = o.value(QStringLiteral("corpus")).toString();
        e.settings = settingsFromJson(o.value(QStringLiteral("settings")), origin, field + QStringLiteral(".settings"));
        e.lambda = finiteFloat(o.value(QStringLiteral("lambda")), origin, field + QStringLiteral(".lambda"));
        e.sweepId = o.value(QStringLiteral("sweepId")).toString().toULongLong();
        if (o.contains(QStringLiteral("metrics"))) {
            const QJsonObject m = o.value(QStringLiteral("metrics")).toObject();
            e.hasMetrics = true;
            e.metrics.lambda =
                finiteFloat(m.value(QStringLiteral("lambda")), origin, field + QStringLiteral(".metrics.lambda"));
            e.metrics.clipToTarget = finiteFloat(m.value(QStringLiteral("clipToTarget")), origin,
                                                 field + QStringLiteral(".metrics.clipToTarget"));
            // "identitySimilarity" only when an identity model measured it (the older
            // "idSimilarity" was a constant 1 written without one, and is not read).
            if (m.contains(QStringLiteral("identitySimilarity")))
                e.metrics.idSimilarity = finiteFloat(m.value(QStringLiteral("identitySimilarity")), origin,
                                                     field + QStringLiteral(".metrics.identitySimilarity"));
            e.metrics.l2 = finiteFloat(m.value(QStringLiteral("l2")), origin, field + QStringLiteral(".metrics.l2"));
            e.metrics.loss =
                finiteFloat(m.value(QStringLiteral("loss")), origin, field + QStringLiteral(".metrics.loss"));
        }
    }
    return e;
}

// A history and its current index: the session's own ("history", "current" at the top) or
// another face's (`prefix` "otherFaces[k]."). Fields are named with the prefix.
FaceWork faceWorkFromJson(const QJsonObject& root, const QString& origin, const QString& prefix)
{
    FaceWork work;
    const QJsonArray entries = root.value(QStringLiteral("history")).toArray();
    if (entries.isEmpty())
        fail(origin, prefix + QStringLiteral("history: empty; a session starts with its source face"));
    for (int i = 0; i < entries.size(); ++i) {
        const QString field = prefix + QStringLiteral("history[%1]").arg(i);
        const QJsonObject o = entries[i].toObject();
        const HistoryEntry::Kind kind = kindFromJson(o, origin, field);
        if ((i == 0) != (kind != HistoryEntry::Kind::Edit))
            fail(origin, field + QStringLiteral(": the first entry must be the source face and only the first"));
        work.entries.append(entryFromJson(o, kind, origin, field));
    }
    work.current = root.value(QStringLiteral("current")).toInt(-1);
    if (work.current < 0 || work.current >= work.entries.size())
        fail(origin, prefix + QStringLiteral("current: %1 is not an index into the %2 history entries")
                                  .arg(work.current)
                                  .arg(work.entries.size()));
    return work;
}

QJsonArray historyToJson(const QVector<HistoryEntry>& history)
{
    QJsonArray entries;
    for (const HistoryEntry& e : history)
        entries.append(entryToJson(e));
    return entries;
}

} // namespace

QByteArray Session::toJson(const SessionData& data)
{
    const QJsonArray entries = historyToJson(data.entries);
    QJsonObject root{{QStringLiteral("format"), QLatin1String(kFormat)},
                     {QStringLiteral("version"), formatVersion},
                     {QStringLiteral("settings"), settingsToJson(data.settings)},
                     {QStringLiteral("prompt"), data.prompt},
                     {QStringLiteral("corpus"), data.corpus},
                     {QStringLiteral("lambdaList"), data.lambdaList},
                     {QStringLiteral("history"), entries},
                     {QStringLiteral("current"), data.current}};
    // Optional, so sessions without a comparison read the same in older builds.
    if (!data.comparison.results.isEmpty()) {
        QJsonArray results;
        for (const HistoryEntry& e : data.comparison.results)
            results.append(entryToJson(e));
        root.insert(QStringLiteral("comparison"),
                    QJsonObject{{QStringLiteral("source"), latentToJson(data.comparison.source)},
                                {QStringLiteral("selected"), data.comparison.selected},
                                {QStringLiteral("results"), results}});
    }
    if (!data.generatorHash.isEmpty())
        root.insert(QStringLiteral("generator"),
                    QJsonObject{{QStringLiteral("hash"), data.generatorHash},
                                {QStringLiteral("description"), data.generatorDescription}});
    if (!data.otherFaces.isEmpty()) {
        QJsonArray faces;
        for (const FaceWork& f : data.otherFaces)
            faces.append(QJsonObject{{QStringLiteral("history"), historyToJson(f.entries)},
                                     {QStringLiteral("current"), f.current}});
        root.insert(QStringLiteral("otherFaces"), faces);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

SessionData Session::fromJson(const QByteArray& json, const QString& origin)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        fail(origin, QStringLiteral("not valid JSON at byte %1: %2").arg(err.offset).arg(err.errorString()));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != QLatin1String(kFormat))
        fail(origin, QStringLiteral("not a PAE Studio session (format field missing or different)"));
    const int version = root.value(QStringLiteral("version")).toInt(-1);
    if (version != formatVersion)
        fail(origin, QStringLiteral("session version %1 is not supported (this build reads %2)")
                         .arg(version)
                         .arg(formatVersion));

    SessionData data;
    data.settings = settingsFromJson(root.value(QStringLiteral("settings")), origin, QStringLiteral("settings"));
    data.prompt = root.value(QStringLiteral("prompt")).toString();
    data.corpus = root.value(QStringLiteral("corpus")).toString();
    data.lambdaList = root.value(QStringLiteral("lambdaList")).toString();
    // Optional: sessions saved before it was recorded do not say which generator drew them.
    if (root.contains(QStringLiteral("generator"))) {
        const QJsonObject g = root.value(QStringLiteral("generator")).toObject();
        const QJsonValue hash = g.value(QStringLiteral("hash"));
        if (!hash.isString() || hash.toString().isEmpty())
            fail(origin, QStringLiteral("generator.hash: missing or not a string"));
        data.generatorHash = hash.toString();
        data.generatorDescription = g.value(QStringLiteral("description")).toString();
    }
    FaceWork main = faceWorkFromJson(root, origin, QString());
    data.entries = std::move(main.entries);
    data.current = main.current;
    if (root.contains(QStringLiteral("comparison"))) {
        const QJsonObject c = root.value(QStringLiteral("comparison")).toObject();
        const QJsonArray results = c.value(QStringLiteral("results")).toArray();
        if (results.isEmpty())
            fail(origin, QStringLiteral("comparison.results: empty; leave the comparison out instead"));
        data.comparison.source =
            latentFromJson(c.value(QStringLiteral("source")), origin, QStringLiteral("comparison.source"));
        for (int i = 0; i < results.size(); ++i) {
            const QString field = QStringLiteral("comparison.results[%1]").arg(i);
            const QJsonObject o = results[i].toObject();
            if (kindFromJson(o, origin, field) != HistoryEntry::Kind::Edit)
                fail(origin, field + QStringLiteral(": a comparison holds edit results only"));
            data.comparison.results.append(entryFromJson(o, HistoryEntry::Kind::Edit, origin, field));
        }
        data.comparison.selected = c.value(QStringLiteral("selected")).toInt(-1);
        if (data.comparison.selected < 0 || data.comparison.selected >= results.size())
            fail(origin, QStringLiteral("comparison.selected: %1 is not an index into its %2 results")
                             .arg(data.comparison.selected)
                             .arg(results.size()));
    }
    if (root.contains(QStringLiteral("otherFaces"))) {
        const QJsonArray faces = root.value(QStringLiteral("otherFaces")).toArray();
        const PhotoPlacement* photo = data.entries.first().placement.get();
        if (!photo)
            fail(origin,
                 QStringLiteral("otherFaces: only a face taken from a photo has other faces, and history[0] is not"));
        std::vector<int> taken{photo->face};
        for (int k = 0; k < faces.size(); ++k) {
            const QString prefix = QStringLiteral("otherFaces[%1].").arg(k);
            FaceWork face = faceWorkFromJson(faces[k].toObject(), origin, prefix);
            const PhotoPlacement* p = face.entries.first().placement.get();
            if (!p)
                fail(origin, prefix + QStringLiteral("history[0]: a face of the photo, without its \"photo\" object"));
            if (p->path != photo->path || p->sha256 != photo->sha256)
                fail(origin, prefix + QStringLiteral("history[0].photo: %1 is not the photo of history[0] (%2)")
                                          .arg(p->path, photo->path));
            if (std::find(taken.begin(), taken.end(), p->face) != taken.end())
                fail(origin,
                     prefix + QStringLiteral("history[0].photo.face: face %1 is in the session twice").arg(p->face));
            taken.push_back(p->face);
            data.otherFaces.append(std::move(face));
        }
    }
    return data;
}

void Session::save(const SessionData& data, const QString& path, bool overwrite)
{
    writeFileAtomically(toJson(data), path, overwrite);
}

SessionData Session::load(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(path, QStringLiteral("cannot open: %1").arg(file.errorString()));
    return fromJson(file.readAll(), path);
}

} // namespace pae::ui
