#pragma once
// One logger for the whole program. The UI adds a sink to show the log in a panel;
// the CLI logs to stderr at warning level unless asked for more.
#include <spdlog/logger.h>
#include <spdlog/sinks/sink.h>

#include <memory>

namespace pae::log {

spdlog::logger& get();
void addSink(std::shared_ptr<spdlog::sinks::sink> sink);
void setLevel(spdlog::level::level_enum level);

template <typename... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) { get().debug(fmt, std::forward<Args>(args)...); }
template <typename... Args>
void info(spdlog::format_string_t<Args...> fmt, Args&&... args) { get().info(fmt, std::forward<Args>(args)...); }
template <typename... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) { get().warn(fmt, std::forward<Args>(args)...); }
template <typename... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) { get().error(fmt, std::forward<Args>(args)...); }

} // namespace pae::log
