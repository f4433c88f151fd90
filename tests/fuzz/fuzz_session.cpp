// The studio's session files (ui/session/Session.cpp, Qt JSON): any bytes end in SessionData or a
// pae::Error naming the field; never a crash, sanitizer report or undefined conversion.
#include "ui/session/Session.h"

#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        pae::ui::Session::fromJson(QByteArray(reinterpret_cast<const char*>(data), int(size)),
                                   QStringLiteral("fuzz.paesession"));
    } catch (const pae::Error&) {}
    return 0;
}
