#pragma once
// Numbers as reports print them.
#include <iomanip>
#include <sstream>
#include <string>

namespace pae {

// v with exactly `digits` digits after the point: fixed(0.5, 3) is "0.500".
inline std::string fixed(double v, int digits)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(digits) << v;
    return out.str();
}

} // namespace pae
