#include "ui/export/Exporter.h"
#include "ui/export/GifEncoder.h"

#include "core/util/error.h"

#include <QImageReader>
#include <QImageWriter>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using pae::ui::Exporter;

namespace {
QImage face(int w, int h, int shift = 0)
{
    QImage img(w, h, QImage::Format_RGB888);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            img.setPixelColor(x, y, QColor((x * 7 + shift) % 256, (y * 5) % 256, ((x + y) * 3) % 256));
    return img;
}

// Colours on a smooth 2-D surface, as in a rendered face (unlike face(), whose modular
// patterns fill the whole colour cube and defeat any 256-colour palette).
QImage smooth(int w, int h, int shift)
{
    QImage img(w, h, QImage::Format_RGB888);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            img.setPixelColor(x, y,
                              QColor(int(128 + 100 * std::sin((x + shift) / 20.0)), int(110 + 80 * std::cos(y / 15.0)),
                                     (x + y + shift) / 4 % 256));
    return img;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestExporter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldWriteAValidPng_whenTheFileIsNew()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("face.png");
        const QImage image = face(40, 30);
        Exporter::writeImage(image, path, false);
        const QByteArray bytes = readAll(path);
        QVERIFY(bytes.startsWith("\x89PNG\r\n\x1a\n"));
        QImage back(path);
        QCOMPARE(back.convertToFormat(QImage::Format_RGB888), image);
        // Nothing but the file itself: the temporary was renamed into place.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"face.png"});
    }

    void shouldCompressAPng_whenTheImageIsFlat()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("flat.png");
        QImage image(512, 512, QImage::Format_RGB888);
        image.fill(QColor(40, 90, 160));
        Exporter::writeImage(image, path, false);
        // 768 KiB of raw pixels; zlib makes a flat image a few KiB.
        QVERIFY2(QFileInfo(path).size() < 20000, qPrintable(QString::number(QFileInfo(path).size())));
        QCOMPARE(QImage(path).convertToFormat(QImage::Format_RGB888), image);
    }

    void shouldRefuseToOverwrite_whenNotAskedTo()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("face.png");
        Exporter::writeImage(face(20, 20), path, false);
        const QByteArray first = readAll(path);
        QVERIFY_THROWS_EXCEPTION(pae::Error, Exporter::writeImage(face(20, 20, 50), path, false));
        QCOMPARE(readAll(path), first);
        Exporter::writeImage(face(20, 20, 50), path, true);
        QVERIFY(readAll(path) != first);
    }

    void shouldKeepTheOldFile_whenTheWriteFails()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("face.png");
        Exporter::writeImage(face(20, 20), path, false);
        const QByteArray first = readAll(path);
        QVERIFY_THROWS_EXCEPTION(pae::Error, Exporter::writeImage(QImage(), path, true));
        QVERIFY_THROWS_EXCEPTION(pae::Error, Exporter::writeImage(face(4, 4), dir.filePath("face.xyz"), true));
        QCOMPARE(readAll(path), first);
    }

    void shouldWriteJpegAndWebp_whenTheSuffixSaysSo_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("format");
        QTest::newRow("jpeg") << "face.jpg" << QByteArray("jpeg");
        QTest::newRow("webp") << "face.webp" << QByteArray("webp");
    }
    void shouldWriteJpegAndWebp_whenTheSuffixSaysSo()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, format);
        if (!QImageWriter::supportedImageFormats().contains(format))
            QSKIP("this Qt has no writer for the format");
        QTemporaryDir dir;
        Exporter::writeImage(face(32, 32), dir.filePath(name), false);
        QImageReader reader(dir.filePath(name));
        QCOMPARE(reader.format(), format);
        QCOMPARE(reader.read().size(), QSize(32, 32));
    }

    void shouldRefuseTheWholeSequence_whenOneFrameExists()
    {
        QTemporaryDir dir;
        const QVector<QImage> frames{face(8, 8), face(8, 8, 10), face(8, 8, 20)};
        Exporter::writeImage(face(8, 8), dir.filePath("edit_0002.png"), false);
        QVERIFY_THROWS_EXCEPTION(pae::Error, Exporter::writeFrameSequence(frames, dir.path(), "edit", false));
        QVERIFY(!QFileInfo::exists(dir.filePath("edit_0000.png")));
        const QStringList written = Exporter::writeFrameSequence(frames, dir.path(), "edit", true);
        QCOMPARE(written.size(), 3);
        QCOMPARE(QImage(written[1]).convertToFormat(QImage::Format_RGB888), frames[1]);
    }

    void shouldWriteAGifThatQtReadsBack_whenGivenFrames()
    {
        QTemporaryDir dir;
        // Large and varied enough to run the LZW table through several code widths and a reset.
        QVector<QImage> frames;
        for (int i = 0; i < 3; ++i)
            frames << smooth(160, 120, i * 40);
        QImage flat(160, 120, QImage::Format_RGB888);
        flat.fill(QColor(10, 200, 30));
        frames << flat;
        const QString path = dir.filePath("edit.gif");
        Exporter::writeGif(frames, path, 100, false);
        QImageReader reader(path);
        QCOMPARE(reader.format(), QByteArray("gif"));
        QCOMPARE(reader.imageCount(), 4);
        for (int i = 0; i < 4; ++i) {
            const QImage back = reader.read().convertToFormat(QImage::Format_RGB888);
            QVERIFY2(!back.isNull(), qPrintable(reader.errorString()));
            QCOMPARE(back.size(), QSize(160, 120));
            QCOMPARE(reader.nextImageDelay(), 100);
            // Median cut to 256 colours: close on average, exact for the flat frame.
            double sum = 0, worst = 0;
            int n = 0;
            for (int y = 0; y < 120; ++y)
                for (int x = 0; x < 160; ++x) {
                    const QColor a = back.pixelColor(x, y), b = frames[i].pixelColor(x, y);
                    for (int d : {a.red() - b.red(), a.green() - b.green(), a.blue() - b.blue()}) {
                        sum += std::abs(d);
                        worst = std::max(worst, double(std::abs(d)));
                        ++n;
                    }
                }
            const double mean = sum / n;
            QVERIFY2(mean < 6 && worst < 64,
                     qPrintable(QStringLiteral("frame %1: mean error %2, max %3").arg(i).arg(mean).arg(worst)));
            if (i == 3)
                QCOMPARE(worst, 0.0);
        }
        QVERIFY_THROWS_EXCEPTION(pae::Error, Exporter::writeGif(frames, path, 100, false));
    }
};

QTEST_MAIN(TestExporter)
#include "tst_exporter.moc"
