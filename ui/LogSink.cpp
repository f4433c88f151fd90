#include "ui/LogSink.h"

#include <spdlog/pattern_formatter.h>

#include <QMetaObject>
#include <QString>

namespace pae::ui {

LogSink::LogSink(QObject* receiver) : m_receiver(receiver)
{
    set_formatter(std::make_unique<spdlog::pattern_formatter>("%H:%M:%S.%e %l  %v", spdlog::pattern_time_type::local,
                                                              std::string()));
}

void LogSink::detach()
{
    std::lock_guard<std::mutex> lock(mutex_);
    m_receiver = nullptr;
}

void LogSink::sink_it_(const spdlog::details::log_msg& msg)
{
    if (!m_receiver)
        return;
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    const QString line = QString::fromUtf8(formatted.data(), int(formatted.size()));
    // Queued even on the GUI thread: a log call from inside a paint or a slot must not
    // re-enter the panel.
    QMetaObject::invokeMethod(m_receiver, "appendLogLine", Qt::QueuedConnection, Q_ARG(QString, line),
                              Q_ARG(int, int(msg.level)));
}

} // namespace pae::ui
