#pragma once
// One-off work off the GUI thread (writing a GIF or video, parsing a session file): `work`
// runs on Qt's thread pool, and `done(result)` or `failed(message)` runs on the GUI thread
// afterwards, only while `context` lives. Errors (pae::Error, c10::Error, any
// std::exception) come back as the message; nothing is swallowed.
//
// The long-lived, cancellable jobs (edits, faces, models, analysis) have their own
// "newest request wins" workers; this is for work that runs once to the end.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <type_traits>
#include <utility>

namespace pae::ui {

template <typename Result> struct BackgroundOutcome {
    Result value{};
    QString error; // empty: it worked
};

template <typename Work, typename Done, typename Failed>
void runInBackground(QObject* context, Work work, Done done, Failed failed)
{
    using Result = std::decay_t<std::invoke_result_t<Work>>;
    using Outcome = BackgroundOutcome<Result>;
    auto* watcher = new QFutureWatcher<Outcome>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done, failed] {
        watcher->deleteLater();
        const Outcome outcome = watcher->result();
        if (outcome.error.isEmpty())
            done(outcome.value);
        else
            failed(outcome.error);
    });
    watcher->setFuture(QtConcurrent::run([work = std::move(work)]() mutable {
        Outcome outcome;
        try {
            outcome.value = work();
        } catch (const std::exception& ex) {
            outcome.error = QString::fromUtf8(ex.what());
        } catch (...) {
            outcome.error = QStringLiteral("unknown error");
        }
        return outcome;
    }));
}

} // namespace pae::ui
