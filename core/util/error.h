#pragma once
// Errors that carry a message meant for the user. Core throws them; the job, CLI and UI
// boundaries catch them (together with c10::Error) and show them.
#include <stdexcept>
#include <string>

namespace pae {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A malformed command line or request field; the CLI maps it to exit code 2.
class UsageError : public Error {
public:
    using Error::Error;
};

// A job stopped because the user asked it to.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace pae
