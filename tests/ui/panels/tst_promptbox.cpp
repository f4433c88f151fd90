#include "ui/panels/PromptBox.h"

#include <QCompleter>
#include <QSignalSpy>
#include <QtTest/QtTest>

using pae::ui::PromptBox;

class TestPromptBox : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldWalkTheHistory_whenUpAndDownArePressed()
    {
        PromptBox box;
        box.setHistory({QStringLiteral("a happy face"), QStringLiteral("a sad face"), QStringLiteral("an angry face")});
        box.setText(QStringLiteral("a surp"));
        QTest::keyClick(&box, Qt::Key_Up);
        QCOMPARE(box.text(), QStringLiteral("an angry face"));
        QTest::keyClick(&box, Qt::Key_Up);
        QCOMPARE(box.text(), QStringLiteral("a sad face"));
        QTest::keyClick(&box, Qt::Key_Up);
        QTest::keyClick(&box, Qt::Key_Up); // stays at the oldest
        QCOMPARE(box.text(), QStringLiteral("a happy face"));
        QTest::keyClick(&box, Qt::Key_Down);
        QCOMPARE(box.text(), QStringLiteral("a sad face"));
        QTest::keyClick(&box, Qt::Key_Down);
        QTest::keyClick(&box, Qt::Key_Down);
        QCOMPARE(box.text(), QStringLiteral("a surp")); // back to what was being typed
    }

    void shouldSubmitAndRememberOnlyRealPrompts_whenEnterIsPressed()
    {
        PromptBox box;
        QSignalSpy spy(&box, &PromptBox::submitted);
        box.setText(QStringLiteral("  a happy face "));
        QTest::keyClick(&box, Qt::Key_Return);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().first().toString(), QStringLiteral("a happy face"));
        QCOMPARE(box.history(), QStringList{QStringLiteral("a happy face")});
        box.clear();
        QTest::keyClick(&box, Qt::Key_Return);
        // An empty prompt still reaches the window, which says what is missing.
        QCOMPARE(spy.count(), 2);
        QCOMPARE(spy.last().first().toString(), QString());
        QCOMPARE(box.history(), QStringList{QStringLiteral("a happy face")}); // and is not remembered
    }

    void shouldMoveARepeatedPromptToTheEnd_whenAddedAgain()
    {
        PromptBox box;
        box.addToHistory(QStringLiteral("a"));
        box.addToHistory(QStringLiteral("b"));
        box.addToHistory(QStringLiteral("a"));
        QCOMPARE(box.history(), (QStringList{QStringLiteral("b"), QStringLiteral("a")}));
        for (int i = 0; i < PromptBox::maxHistory + 5; ++i)
            box.addToHistory(QString::number(i));
        QCOMPARE(box.history().size(), PromptBox::maxHistory);
        QCOMPARE(box.history().last(), QString::number(PromptBox::maxHistory + 4));
    }

    void shouldCompleteFromTheCorpus_whenTyping()
    {
        PromptBox box;
        box.setCompletions({QStringLiteral("a happy face"), QStringLiteral("a sad face")});
        box.completer()->setCompletionPrefix(QStringLiteral("happ"));
        QCOMPARE(box.completer()->completionCount(), 1);
        QCOMPARE(box.completer()->currentCompletion(), QStringLiteral("a happy face"));
    }
};

QTEST_MAIN(TestPromptBox)
#include "tst_promptbox.moc"
