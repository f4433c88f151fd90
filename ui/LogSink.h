#pragma once
// A spdlog sink that hands each line to a QObject on its own thread. Lines can come from
// any thread (the edit job logs from the worker); they travel as queued invocations, so
// the receiver only ever sees them on the GUI thread. The logger is global and outlives
// windows, so the receiver detaches itself when it goes away.
#include <spdlog/sinks/base_sink.h>

#include <QObject>

#include <mutex>

namespace pae::ui {

class LogSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    // receiver must have a slot or Q_INVOKABLE appendLogLine(QString line, int level).
    explicit LogSink(QObject* receiver);
    void detach();

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override {}

private:
    QObject* m_receiver; // guarded by base_sink's mutex
};

} // namespace pae::ui
