// LatestRunner: the one "newest request wins" runner under the prompt analysis and model
// loading.
#include "ui/jobs/LatestRunner.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QStringList>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using pae::ui::LatestRunner;

class TestLatestRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldDeliverOnlyTheNewest_andSkipWhatWaitedBeforeIt()
    {
        LatestRunner runner(QStringLiteral("test-runner"));
        QSignalSpy idle(&runner, &LatestRunner::idle);
        auto gate = std::make_shared<QSemaphore>(0);
        auto ran = std::make_shared<QStringList>();
        QStringList delivered;
        QString deliveredOn;
        auto task = [&](const QString& name, bool wait) {
            return [=, &delivered, &deliveredOn]() -> LatestRunner::Deliver {
                if (wait)
                    gate->acquire();
                ran->append(name);
                return [=, &delivered, &deliveredOn] {
                    delivered << name;
                    deliveredOn = QThread::currentThread()->objectName();
                };
            };
        };
        QThread::currentThread()->setObjectName(QStringLiteral("gui"));
        runner.run(task(QStringLiteral("a"), true));
        QVERIFY(runner.isBusy());
        runner.run(task(QStringLiteral("b"), false)); // waits, then is replaced by c
        runner.run(task(QStringLiteral("c"), false));
        gate->release();
        QVERIFY(idle.wait(5000));
        QCOMPARE(*ran, (QStringList{"a", "c"})); // one at a time; b never started
        QCOMPARE(delivered, QStringList{"c"});   // a's answer was stale when it came
        QCOMPARE(deliveredOn, QStringLiteral("gui"));
        QVERIFY(!runner.isBusy());
    }

    void shouldDeliverNothing_whenCancelled()
    {
        LatestRunner runner(QStringLiteral("test-runner"));
        QSignalSpy idle(&runner, &LatestRunner::idle);
        auto gate = std::make_shared<QSemaphore>(0);
        bool delivered = false;
        runner.run([gate, &delivered]() -> LatestRunner::Deliver {
            gate->acquire();
            return [&delivered] { delivered = true; };
        });
        runner.cancel();
        gate->release();
        QVERIFY(idle.wait(5000));
        QVERIFY(!delivered);
        // and it runs the next task as usual
        runner.run([&delivered]() -> LatestRunner::Deliver { return [&delivered] { delivered = true; }; });
        QVERIFY(idle.wait(5000));
        QVERIFY(delivered);
    }

    // Destroyed while a task runs: it waits for the task, and nothing is delivered afterwards.
    void shouldWaitForTheRunningTask_whenDestroyed()
    {
        auto finished = std::make_shared<std::atomic<bool>>(false);
        bool delivered = false;
        {
            LatestRunner runner(QStringLiteral("test-runner"));
            runner.run([finished, &delivered]() -> LatestRunner::Deliver {
                QThread::msleep(100);
                *finished = true;
                return [&delivered] { delivered = true; };
            });
        }
        QVERIFY(finished->load());
        QCoreApplication::processEvents();
        QVERIFY(!delivered);
    }
};

QTEST_GUILESS_MAIN(TestLatestRunner)
#include "tst_latestrunner.moc"
