#include "core/util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace pae::log {

spdlog::logger& get()
{
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto l = std::make_shared<spdlog::logger>("pae", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        l->set_level(spdlog::level::warn);
        l->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
        return l;
    }();
    return *logger;
}

void addSink(std::shared_ptr<spdlog::sinks::sink> sink) { get().sinks().push_back(std::move(sink)); }

void setLevel(spdlog::level::level_enum level) { get().set_level(level); }

} // namespace pae::log
