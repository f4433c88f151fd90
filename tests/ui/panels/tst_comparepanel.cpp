#include "ui/panels/ComparePanel.h"
#include "ui/panels/CompareTile.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest/QtTest>

using namespace pae::ui;

class TestComparePanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldParseLambdaLists_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<std::vector<float>>("expected");
        QTest::newRow("commas") << "2, 5, 8" << std::vector<float>{2, 5, 8};
        QTest::newRow("spaces") << " 0.5 1.5\t3 " << std::vector<float>{0.5f, 1.5f, 3};
        QTest::newRow("semicolons") << "4;6" << std::vector<float>{4, 6};
        QTest::newRow("word") << "2, five" << std::vector<float>{};
        QTest::newRow("negative") << "2, -1" << std::vector<float>{};
        QTest::newRow("zero") << "0" << std::vector<float>{};
        QTest::newRow("empty") << " , " << std::vector<float>{};
    }
    void shouldParseLambdaLists()
    {
        QFETCH(QString, text);
        QFETCH(std::vector<float>, expected);
        QString error;
        QCOMPARE(ComparePanel::parseLambdas(text, &error), expected);
        QCOMPARE(error.isEmpty(), !expected.empty());
    }

    void shouldFillTiles_whenFramesAndResultsArrive()
    {
        ComparePanel panel;
        QSignalSpy sweep(&panel, &ComparePanel::sweepRequested);
        panel.setLambdaText("2, 5, 8");
        panel.findChild<QLineEdit*>()->returnPressed();
        QCOMPARE(sweep.count(), 1);
        panel.startSweep({2, 5, 8});
        QCOMPARE(panel.tileCount(), 3);
        QVERIFY(panel.tile(1)->image().isNull());
        QImage f(16, 16, QImage::Format_RGB888);
        f.fill(Qt::green);
        panel.setFrames({f, f, f});
        QCOMPARE(panel.tile(2)->image().pixelColor(0, 0), QColor(Qt::green));
        QVERIFY(!panel.tile(0)->hasMetrics());
        std::vector<pae::EditMetrics> m(3);
        m[1].loss = 0.25f;
        m[1].clipToTarget = 0.75f;
        panel.setResults({f, f, f}, m);
        QCOMPARE(panel.tile(1)->caption(), QStringLiteral("λ 5 · loss 0.250 · CLIP 0.750"));
        const QImage grid = panel.gridImage();
        QVERIFY(grid.width() > 3 * 128 && grid.height() > 128);
    }

    void shouldSelectATile_whenClicked()
    {
        ComparePanel panel;
        panel.resize(700, 260);
        panel.show();
        panel.startSweep({2, 5, 8});
        QSignalSpy spy(&panel, &ComparePanel::tileActivated);
        QTest::mouseClick(panel.tile(2), Qt::LeftButton);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().first().toInt(), 2);
        QCOMPARE(panel.selectedTile(), 2);
        QVERIFY(panel.tile(2)->isSelected() && !panel.tile(0)->isSelected());
    }

    // A wrong list says what is wrong under the field (not only a red border with the
    // message hidden in a tooltip), runs nothing, and the message goes once it is fixed.
    void shouldShowTheMessage_whenTheLambdaListIsWrong()
    {
        ComparePanel panel;
        panel.resize(700, 260);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy spy(&panel, &ComparePanel::sweepRequested);
        auto* field = panel.findChild<QLineEdit*>();
        QVERIFY(field);
        field->selectAll();
        QTest::keyClicks(field, QStringLiteral("2, five"));
        auto* run = panel.findChild<QPushButton*>(QString(), Qt::FindDirectChildrenOnly);
        QVERIFY(run && run->text() == QStringLiteral("Run sweep"));
        QTest::mouseClick(run, Qt::LeftButton);
        QCOMPARE(spy.count(), 0);
        auto* message = panel.findChild<QLabel*>(QStringLiteral("lambdaError"));
        QVERIFY(message && message->isVisible());
        QVERIFY2(message->text().contains(QStringLiteral("five")), qPrintable(message->text()));
        QCOMPARE(panel.lambdaError(), message->text());
        QTest::keyClick(field, Qt::Key_Backspace); // fixing it clears the message
        QVERIFY(!message->isVisible());
        field->selectAll();
        QTest::keyClicks(field, QStringLiteral("2, 5"));
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(spy.count(), 1);
        QVERIFY(panel.lambdaError().isEmpty());
    }
};

QTEST_MAIN(TestComparePanel)
#include "tst_comparepanel.moc"
