// The document: when work counts as unsaved, what the question does with each answer, and
// the two autosave generations that keep replaced work recoverable.
#include "StudioTestModels.h"

#include "ui/session/Document.h"
#include "ui/session/EditHistory.h"

#include <QFile>
#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest/QtTest>

using namespace pae::ui;
using pae::test::MessageBoxAnswer;

namespace {

HistoryEntry face(HistoryEntry::Kind kind, float value)
{
    HistoryEntry e;
    e.kind = kind;
    e.label = QStringLiteral("face %1").arg(double(value));
    e.latent.numLatents = 2;
    e.latent.styleDim = 3;
    e.latent.values.assign(6, value);
    if (kind == HistoryEntry::Kind::Photo)
        e.sourceFile = QStringLiteral("/photos/portrait.jpg");
    return e;
}

SessionData dataOf(const Document& doc)
{
    SessionData d;
    d.entries = doc.history()->entries();
    d.current = doc.history()->currentIndex();
    return d;
}

} // namespace

class TestDocument : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { pae::test::isolateUserFiles(m_cache); }
    void init()
    {
        QFile::remove(Document::autosavePath());
        QFile::remove(Document::previousAutosavePath());
    }

    void shouldCountEditsAndPhotosAsWork_butNotAFreshSeedFace()
    {
        Document doc;
        doc.history()->reset(face(HistoryEntry::Kind::Seed, 1));
        doc.startNew(QString(), false);
        QVERIFY(!doc.hasUnsavedWork()); // the same seed makes it again in a moment
        doc.history()->push(face(HistoryEntry::Kind::Edit, 2));
        QVERIFY(doc.isDirty());
        QVERIFY(doc.hasUnsavedWork());
        doc.markSaved(QStringLiteral("/tmp/x.paesession"));
        QVERIFY(!doc.hasUnsavedWork());
        doc.history()->undoStack()->undo(); // moving through the history changes the work
        QVERIFY(doc.hasUnsavedWork());

        Document photo;
        photo.history()->reset(face(HistoryEntry::Kind::Photo, 3));
        photo.startNew(QString(), true); // an inversion can take minutes
        QVERIFY(photo.hasUnsavedWork());
    }

    void shouldAskAndKeepTheWork_whenCancelled()
    {
        Document doc;
        doc.history()->reset(face(HistoryEntry::Kind::Seed, 1));
        doc.history()->push(face(HistoryEntry::Kind::Edit, 2));
        bool saveCalled = false;
        MessageBoxAnswer cancel(QMessageBox::Cancel);
        QVERIFY(!doc.confirmReplace(nullptr, QStringLiteral("Another face"), [&] { saveCalled = true; }));
        QVERIFY(cancel.answered());
        QVERIFY2(cancel.question().contains(QStringLiteral("Another face")) &&
                     cancel.question().contains(QStringLiteral("its edit")),
                 qPrintable(cancel.question()));
        QVERIFY(!saveCalled);
        QCOMPARE(doc.history()->count(), 2);
        QVERIFY(doc.hasUnsavedWork());
    }

    void shouldGoAhead_onlyWhenSavingSaved_orOnDiscard()
    {
        Document doc;
        doc.history()->reset(face(HistoryEntry::Kind::Seed, 1));
        doc.history()->push(face(HistoryEntry::Kind::Edit, 2));
        {
            // Save, but the save dialog was cancelled: still unsaved, so no.
            MessageBoxAnswer save(QMessageBox::Save);
            QVERIFY(!doc.confirmReplace(nullptr, QStringLiteral("x"), [] {}));
            QVERIFY(save.answered());
        }
        {
            MessageBoxAnswer save(QMessageBox::Save);
            QVERIFY(doc.confirmReplace(nullptr, QStringLiteral("x"), [&] { doc.markSaved(QStringLiteral("/tmp/s")); }));
        }
        doc.history()->push(face(HistoryEntry::Kind::Edit, 3));
        {
            MessageBoxAnswer discard(QMessageBox::Discard);
            QVERIFY(doc.confirmReplace(nullptr, QStringLiteral("x"), [] {}));
            QVERIFY(discard.answered());
        }
    }

    void shouldNotAsk_whenThereIsNoUnsavedWork()
    {
        Document doc;
        doc.history()->reset(face(HistoryEntry::Kind::Seed, 1));
        doc.startNew(QString(), false);
        MessageBoxAnswer any(QMessageBox::Cancel);
        QVERIFY(doc.confirmReplace(nullptr, QStringLiteral("x"), [] {}));
        QTest::qWait(30);
        QVERIFY(!any.answered());
    }

    // The bug this guards: a new face's autosave wrote over the autosave of 9 edits.
    void shouldKeepTheOtherWorksAutosave_asThePreviousGeneration()
    {
        Document doc;
        doc.history()->reset(face(HistoryEntry::Kind::Seed, 1));
        doc.history()->push(face(HistoryEntry::Kind::Edit, 2));
        doc.history()->push(face(HistoryEntry::Kind::Edit, 3));
        doc.autosave(dataOf(doc));
        doc.autosave(dataOf(doc)); // the same work again: no rotation
        QVERIFY(!QFile::exists(Document::previousAutosavePath()));

        doc.history()->reset(face(HistoryEntry::Kind::Seed, 9)); // other work
        doc.startNew(QString(), false);
        doc.autosave(dataOf(doc));
        QCOMPARE(Session::load(Document::autosavePath()).entries.size(), 1);
        const SessionData previous = Session::load(Document::previousAutosavePath());
        QCOMPARE(previous.entries.size(), 3);
        QCOMPARE(previous.entries.last().latent.values, face(HistoryEntry::Kind::Edit, 3).latent.values);

        // A clean exit removes the autosave and keeps the previous generation.
        doc.removeAutosave();
        QVERIFY(!QFile::exists(Document::autosavePath()));
        QVERIFY(QFile::exists(Document::previousAutosavePath()));
    }

    void shouldKeepACrashAutosave_whenItIsNotRestoredNow()
    {
        SessionData crashed;
        crashed.entries = {face(HistoryEntry::Kind::Seed, 1), face(HistoryEntry::Kind::Edit, 2)};
        crashed.current = 1;
        Session::save(crashed, Document::autosavePath(), true);
        Document::keepAutosaveAsPrevious();
        QVERIFY(!QFile::exists(Document::autosavePath()));
        QCOMPARE(Session::load(Document::previousAutosavePath()).entries.size(), 2);

        // And a first autosave of this run never writes over a crash's file either.
        Session::save(crashed, Document::autosavePath(), true);
        Document doc;
        doc.history()->reset(face(HistoryEntry::Kind::Seed, 5));
        doc.autosave(dataOf(doc));
        QCOMPARE(Session::load(Document::previousAutosavePath()).entries.size(), 2);
    }

private:
    QTemporaryDir m_cache;
};

QTEST_MAIN(TestDocument)
#include "tst_document.moc"
