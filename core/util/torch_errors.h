#pragma once
// The engine's boundary towards its callers (the studio, pae-cli): LibTorch reports
// problems as c10::Error, whose text carries a C++ backtrace and names no file or task.
// Every whole task ends in
//     } catch (...) { rethrowForUser("the edit"); }
// so that its caller sees a pae::Error with one sentence.
#include <string>

namespace pae {

// Rethrows the exception being handled: a c10::Error as pae::Error("<task> failed inside
// LibTorch: <its first line>"), an allocation failure as pae::Error("<task> ran out of
// memory"); anything else (pae::Error, Cancelled, …) unchanged. Call it in a catch block only.
[[noreturn]] void rethrowForUser(const std::string& task);

} // namespace pae
