#pragma once
// Wall-clock time since construction, for what a job reports (seconds, progress).
#include <chrono>

namespace pae {

class Stopwatch {
public:
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(); }
    double milliseconds() const { return seconds() * 1000.0; }

private:
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

} // namespace pae
