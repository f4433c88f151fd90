// The layering of DESIGN.md, checked on the source tree: every #include of a core file goes to
// its own layer or one the build links it to (core/CMakeLists.txt writes the table this test
// reads), core includes no Qt, and ui/ and the studio's main reach no LibTorch header, not
// even through a core header they include.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Layer {
    QString name;
    QString dir;     // under core/
    QString exclude; // files of dir that belong elsewhere (regex on the path), or empty
    QString only;    // or: the only files of dir that belong here
    QStringList depends;
};

QList<Layer> readTable(const QString& file)
{
    QList<Layer> layers;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return layers;
    for (const QString& line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList parts = line.split(QLatin1Char('|'));
        if (parts.size() != 5)
            continue;
        layers.append({parts[0], parts[1], parts[2], parts[3], parts[4].split(QLatin1Char(','), Qt::SkipEmptyParts)});
    }
    return layers;
}

// The layer a core file belongs to ("core/io/image.h" → pae_io); empty when none.
QString layerOf(const QList<Layer>& layers, const QString& path)
{
    for (const Layer& l : layers) {
        if (!path.startsWith(QStringLiteral("core/") + l.dir + QLatin1Char('/')))
            continue;
        if (path.mid(5 + l.dir.size() + 1).contains(QLatin1Char('/')))
            continue;
        if (!l.exclude.isEmpty() && QRegularExpression(l.exclude).match(path).hasMatch())
            continue;
        if (!l.only.isEmpty() && !QRegularExpression(l.only).match(path).hasMatch())
            continue;
        return l.name;
    }
    return {};
}

QStringList includesOf(const QString& file)
{
    static const QRegularExpression include(QStringLiteral(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])"));
    QStringList out;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QString& line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
        const auto m = include.match(line);
        if (m.hasMatch())
            out << m.captured(1) + m.captured(2); // '"core/io/image.h' or '<torch/torch.h'
    }
    return out;
}

QStringList sourcesUnder(const QString& root, const QString& dir)
{
    QStringList out;
    QDirIterator it(root + QLatin1Char('/') + dir, {"*.h", "*.cpp", "*.inc"}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(root).relativeFilePath(it.next());
    out.sort();
    return out;
}

bool isTorchHeader(const QString& inc)
{
    return inc.startsWith(QLatin1String("<torch/")) || inc.startsWith(QLatin1String("<ATen/")) ||
           inc.startsWith(QLatin1String("<c10/")) || inc.startsWith(QLatin1String("<caffe2/"));
}

bool isQtHeader(const QString& inc)
{
    return QRegularExpression(QStringLiteral(R"(^<Q[A-Za-z]+(/|>|$))")).match(inc + QLatin1Char('>')).hasMatch() ||
           inc.startsWith(QLatin1String("<qt"));
}

// Everything that breaks the layering in the tree at `root`, one sentence each.
QStringList violations(const QString& root, const QList<Layer>& layers)
{
    QStringList problems;
    if (layers.isEmpty())
        return {QStringLiteral("the layer table is empty")};

    // What each layer may include: itself and everything it links, transitively.
    QMap<QString, QSet<QString>> reach;
    QMap<QString, QStringList> depends;
    for (const Layer& l : layers)
        depends[l.name] = l.depends;
    for (const Layer& l : layers) {
        QSet<QString> seen{l.name};
        QStringList pending = l.depends;
        while (!pending.isEmpty()) {
            const QString d = pending.takeLast();
            if (d == l.name)
                problems << QStringLiteral("%1 links to itself through %2 (a cycle)").arg(l.name, d);
            if (seen.contains(d))
                continue;
            seen.insert(d);
            pending << depends.value(d);
        }
        reach[l.name] = seen;
    }

    // Core: includes go down, never to Qt.
    QMap<QString, QStringList> coreIncludes; // core file → its includes, for ui's transitive check
    for (const QString& file : sourcesUnder(root, QStringLiteral("core"))) {
        if (file == QLatin1String("core/CMakeLists.txt"))
            continue;
        const QStringList incs = includesOf(root + QLatin1Char('/') + file);
        coreIncludes[file] = incs;
        const QString layer = layerOf(layers, file);
        if (layer.isEmpty()) {
            problems << QStringLiteral("%1 belongs to no layer (add its folder to core/CMakeLists.txt)").arg(file);
            continue;
        }
        for (const QString& inc : incs) {
            if (isQtHeader(inc))
                problems << QStringLiteral("%1 includes %2>: core has no Qt").arg(file, inc);
            if (!inc.startsWith(QLatin1String("\"core/")))
                continue;
            const QString target = inc.mid(1);
            const QString targetLayer = layerOf(layers, target);
            if (!targetLayer.isEmpty() && !reach[layer].contains(targetLayer))
                problems << QStringLiteral("%1 (%2) includes %3 (%4), a layer it does not link")
                                .arg(file, layer, target, targetLayer);
        }
    }

    // ui and the studio: no LibTorch header, directly or through core.
    auto torchPath = [&](const QString& header) -> QString { // "" when torch-free
        QStringList stack{header};
        QMap<QString, QString> parent;
        QSet<QString> seen{header};
        while (!stack.isEmpty()) {
            const QString h = stack.takeLast();
            for (const QString& inc : coreIncludes.value(h)) {
                if (isTorchHeader(inc)) {
                    QStringList chain{inc + QLatin1Char('>')};
                    for (QString at = h; !at.isEmpty(); at = parent.value(at))
                        chain.prepend(at);
                    return chain.join(QStringLiteral(" → "));
                }
                if (inc.startsWith(QLatin1String("\"core/")) && !seen.contains(inc.mid(1))) {
                    seen.insert(inc.mid(1));
                    parent[inc.mid(1)] = h;
                    stack << inc.mid(1);
                }
            }
        }
        return {};
    };
    QStringList uiFiles = sourcesUnder(root, QStringLiteral("ui"));
    if (QFile::exists(root + QStringLiteral("/app/studio")))
        uiFiles << sourcesUnder(root, QStringLiteral("app/studio"));
    for (const QString& file : uiFiles) {
        for (const QString& inc : includesOf(root + QLatin1Char('/') + file)) {
            if (isTorchHeader(inc))
                problems << QStringLiteral("%1 includes %2>: the studio sees no LibTorch header").arg(file, inc);
            else if (inc.startsWith(QLatin1String("\"core/"))) {
                const QString chain = torchPath(inc.mid(1));
                if (!chain.isEmpty())
                    problems
                        << QStringLiteral("%1 includes %2, which reaches LibTorch: %3").arg(file, inc.mid(1), chain);
            }
        }
    }
    return problems;
}

void write(const QString& path, const QByteArray& text)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

} // namespace

class TestLayers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldReadTheBuildsLayerTable()
    {
        const QList<Layer> layers = readTable(QStringLiteral(PAE_LAYERS_FILE));
        QVERIFY2(layers.size() >= 9,
                 qPrintable(QStringLiteral("%1 layers in %2").arg(layers.size()).arg(PAE_LAYERS_FILE)));
        QCOMPARE(layerOf(layers, QStringLiteral("core/util/error.h")), QStringLiteral("pae_util"));
        QCOMPARE(layerOf(layers, QStringLiteral("core/edit/edit_job.cpp")), QStringLiteral("pae_engine"));
        QCOMPARE(layerOf(layers, QStringLiteral("core/synthface/renderer.cpp")), QStringLiteral("pae_synthface"));
        QCOMPARE(layerOf(layers, QStringLiteral("core/synthface/train_data.h")), QStringLiteral("pae_synthface_train"));
    }

    void shouldKeepEveryIncludeInItsLayer()
    {
        const QStringList problems =
            violations(QStringLiteral(PAE_SOURCE_DIR), readTable(QStringLiteral(PAE_LAYERS_FILE)));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // The check itself can fail: a small tree with each kind of mistake.
    void shouldNameEachKindOfMistake()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString r = dir.path();
        write(r + "/core/util/a.h", "#pragma once\n#include <QString>\n");
        write(r + "/core/io/b.h", "#pragma once\n#include \"core/util/a.h\"\n#include \"core/edit/c.h\"\n");
        write(r + "/core/edit/c.h", "#pragma once\n#include \"core/models/m.h\"\n");
        write(r + "/core/models/m.h", "#pragma once\n#include <torch/types.h>\n");
        write(r + "/core/stray/s.h", "#pragma once\n");
        write(r + "/ui/W.cpp", "#include \"core/edit/c.h\"\n#include <ATen/ATen.h>\n");
        const QList<Layer> layers{{"pae_util", "util", {}, {}, {}},
                                  {"pae_io", "io", {}, {}, {"pae_util"}},
                                  {"pae_models", "models", {}, {}, {"pae_io"}},
                                  {"pae_engine", "edit", {}, {}, {"pae_models"}}};
        const QString found = violations(r, layers).join(QLatin1Char('\n'));
        QVERIFY2(found.contains("core/util/a.h includes <QString>: core has no Qt"), qPrintable(found));
        QVERIFY2(found.contains("core/io/b.h (pae_io) includes core/edit/c.h (pae_engine), a layer it does not link"),
                 qPrintable(found));
        QVERIFY2(found.contains("core/stray/s.h belongs to no layer"), qPrintable(found));
        QVERIFY2(found.contains("ui/W.cpp includes <ATen/ATen.h>: the studio sees no LibTorch header"),
                 qPrintable(found));
        QVERIFY2(found.contains("ui/W.cpp includes core/edit/c.h, which reaches LibTorch: core/edit/c.h → "
                                "core/models/m.h → <torch/types.h>"),
                 qPrintable(found));
        QCOMPARE(violations(r, {}), QStringList{"the layer table is empty"});
    }
};

QTEST_GUILESS_MAIN(TestLayers)
#include "tst_layers.moc"
