#include "ui/panels/LogPanel.h"

#include "core/util/log.h"

#include <QtTest/QtTest>

#include <thread>

using pae::ui::LogPanel;

class TestLogPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { pae::log::setLevel(spdlog::level::info); }

    void shouldShowLinesFromAnyThread_onTheGuiThread()
    {
        LogPanel panel;
        std::thread worker([] {
            for (int i = 0; i < 50; ++i)
                pae::log::info("from the worker {}", i);
        });
        worker.join();
        pae::log::warn("from the gui thread");
        // Lines travel as queued calls: nothing is appended until the event loop runs.
        QVERIFY(!panel.text().contains(QStringLiteral("from the worker")));
        QTRY_VERIFY(panel.text().contains(QStringLiteral("from the gui thread")));
        QVERIFY(panel.text().contains(QStringLiteral("from the worker 0")));
        QVERIFY(panel.text().contains(QStringLiteral("from the worker 49")));
        QVERIFY(panel.text().indexOf(QStringLiteral("worker 49")) < panel.text().indexOf(QStringLiteral("gui thread")));
    }

    void shouldStayQuiet_afterThePanelIsGone()
    {
        {
            LogPanel panel;
            pae::log::info("queued for a panel about to go");
        }
        // The sink stays registered with the global logger; it must neither crash nor deliver.
        pae::log::info("after the panel");
        QCoreApplication::processEvents();
        LogPanel fresh;
        pae::log::info("to the new panel");
        QTRY_VERIFY(fresh.text().contains(QStringLiteral("to the new panel")));
        QVERIFY(!fresh.text().contains(QStringLiteral("after the panel")));
    }
};

QTEST_MAIN(TestLogPanel)
#include "tst_logpanel.moc"
