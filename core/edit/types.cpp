#include "core/edit/types.h"

#include "core/util/error.h"

namespace pae {

ResolutionMode parseResolutionMode(const std::string& text)
{
    if (text == "clip")
        return ResolutionMode::Clip;
    if (text == "full")
        return ResolutionMode::Full;
    throw UsageError("resolution: '" + text + "' is not one of clip, full");
}

std::string toString(ResolutionMode mode)
{
    switch (mode) {
    case ResolutionMode::Clip:
        return "clip";
    case ResolutionMode::Full:
        return "full";
    }
    throw Error("resolution: invalid ResolutionMode value " + std::to_string(static_cast<int>(mode)));
}

} // namespace pae
