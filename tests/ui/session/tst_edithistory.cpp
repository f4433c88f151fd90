#include "ui/panels/HistoryPanel.h"
#include "ui/session/EditHistory.h"

#include <QListWidget>
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest/QtTest>

using namespace pae::ui;

namespace {
HistoryEntry entry(const QString& label, HistoryEntry::Kind kind = HistoryEntry::Kind::Edit)
{
    HistoryEntry e;
    e.kind = kind;
    e.label = label;
    e.image = QImage(8, 8, QImage::Format_RGB888);
    e.image.fill(QColor(label.size() * 20, 0, 0));
    return e;
}
} // namespace

class TestEditHistory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldMoveBackAndForth_whenUndoAndRedo()
    {
        EditHistory h;
        h.reset(entry("seed", HistoryEntry::Kind::Seed));
        h.push(entry("happy"));
        h.push(entry("happier"));
        QCOMPARE(h.currentIndex(), 2);
        h.undoStack()->undo();
        QCOMPARE(h.current().label, QStringLiteral("happy"));
        h.undoStack()->undo();
        QCOMPARE(h.current().label, QStringLiteral("seed"));
        QVERIFY(!h.undoStack()->canUndo());
        h.undoStack()->redo();
        QCOMPARE(h.current().label, QStringLiteral("happy"));
        QCOMPARE(h.count(), 3);
    }

    void shouldRestoreAChainWithItsUndoSteps_andAnnounceItOnce()
    {
        EditHistory h;
        HistoryPanel panel(&h);
        QSignalSpy entries(&h, &EditHistory::entriesChanged);
        QSignalSpy current(&h, &EditHistory::currentChanged);
        h.restore({entry("seed", HistoryEntry::Kind::Seed), entry("happy"), entry("happier"), entry("bald")}, 2);
        QCOMPARE(entries.count(), 1);
        QCOMPARE(current.count(), 1);
        QCOMPARE(current.first().first().toInt(), 2);
        QCOMPARE(h.count(), 4);
        QCOMPARE(h.current().label, QStringLiteral("happier"));
        QCOMPARE(panel.findChild<QListWidget*>()->count(), 4);
        QCOMPARE(panel.findChild<QListWidget*>()->currentRow(), 2);
        h.undoStack()->redo();
        QCOMPARE(h.current().label, QStringLiteral("bald"));
        h.undoStack()->undo();
        h.undoStack()->undo();
        h.undoStack()->undo();
        QCOMPARE(h.current().label, QStringLiteral("seed"));
        QVERIFY(!h.undoStack()->canUndo());
        QCOMPARE(current.count(), 5);
    }

    void shouldDropUndoneEdits_whenANewEditIsPushed()
    {
        EditHistory h;
        h.reset(entry("seed", HistoryEntry::Kind::Seed));
        h.push(entry("happy"));
        h.push(entry("sad"));
        h.undoStack()->undo();
        h.push(entry("bald"));
        QCOMPARE(h.count(), 3);
        QCOMPARE(h.at(2).label, QStringLiteral("bald"));
        QVERIFY(!h.undoStack()->canRedo());
        h.undoStack()->undo();
        QCOMPARE(h.current().label, QStringLiteral("happy"));
    }

    void shouldJumpThroughTheUndoStack_whenAnEntryIsClicked()
    {
        EditHistory h;
        HistoryPanel panel(&h);
        h.reset(entry("seed", HistoryEntry::Kind::Seed));
        h.push(entry("a"));
        h.push(entry("b"));
        QCOMPARE(panel.list()->count(), 3);
        QCOMPARE(panel.list()->currentRow(), 2);
        panel.list()->setCurrentRow(0);
        QCOMPARE(h.currentIndex(), 0);
        QCOMPARE(h.undoStack()->index(), 0);
        h.undoStack()->redo();
        QCOMPARE(panel.list()->currentRow(), 1);
    }

    void shouldNotAddAnUndoStep_whenTheCurrentEntryIsReplaced()
    {
        EditHistory h;
        h.reset(entry("seed", HistoryEntry::Kind::Seed));
        h.push(entry("λ 2"));
        QSignalSpy spy(&h, &EditHistory::currentChanged);
        h.replaceCurrent(entry("λ 8"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(h.count(), 2);
        QCOMPARE(h.undoStack()->count(), 1);
        h.undoStack()->undo();
        h.undoStack()->redo();
        QCOMPARE(h.current().label, QStringLiteral("λ 8"));
    }
};

QTEST_MAIN(TestEditHistory)
#include "tst_edithistory.moc"
