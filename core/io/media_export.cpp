#include "core/io/media_export.h"

#include "core/io/image_mat.h"
#include "core/util/error.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <random>
#include <system_error>

namespace pae::io {

namespace fs = std::filesystem;

std::string toString(ScaleFilter filter)
{
    switch (filter) {
    case ScaleFilter::Nearest:
        return "nearest";
    case ScaleFilter::Bicubic:
        return "bicubic";
    case ScaleFilter::Lanczos:
        return "lanczos";
    }
    return "lanczos";
}

ScaleFilter parseScaleFilter(const std::string& text)
{
    for (ScaleFilter f : {ScaleFilter::Nearest, ScaleFilter::Bicubic, ScaleFilter::Lanczos})
        if (text == toString(f))
            return f;
    throw Error("scale filter: '" + text + "' is not nearest, bicubic or lanczos");
}

ImageRGB scaleImage(const ImageRGB& image, int width, int height, ScaleFilter filter)
{
    checkImage(image, "image to scale");
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
        throw Error("scaled size " + std::to_string(width) + "×" + std::to_string(height) +
                    " is outside 1…16384 pixels a side");
    if (width == image.width && height == image.height)
        return image;
    int interpolation = cv::INTER_AREA;
    if (width > image.width || height > image.height)
        interpolation = filter == ScaleFilter::Nearest   ? cv::INTER_NEAREST
                        : filter == ScaleFilter::Bicubic ? cv::INTER_CUBIC
                                                         : cv::INTER_LANCZOS4;
    cv::Mat out;
    cv::resize(asMat(image), out, cv::Size(width, height), 0, 0, interpolation);
    return fromMat(out);
}

namespace {

std::string lowerSuffix(const fs::path& path)
{
    std::string s = path.extension().string();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

int fourccFor(const fs::path& path)
{
    const std::string suffix = lowerSuffix(path);
    if (suffix == ".mp4")
        return cv::VideoWriter::fourcc('m', 'p', '4', 'v');
    if (suffix == ".webm")
        return cv::VideoWriter::fourcc('V', 'P', '8', '0');
    return 0;
}

// Beside the target, with the target's suffix (the container is chosen from it).
fs::path temporaryBeside(const fs::path& path)
{
    std::random_device random;
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    return dir / ("." + path.stem().string() + "." + std::to_string(random()) + path.extension().string());
}

} // namespace

bool canWriteVideo(const fs::path& path)
{
    const int fourcc = fourccFor(path);
    if (fourcc == 0)
        return false;
    // The only reliable test is to open a writer: the codecs depend on OpenCV's build.
    const fs::path probe = fs::temp_directory_path() / temporaryBeside(path).filename();
    bool ok = false;
    {
        cv::VideoWriter writer(probe.string(), fourcc, 10.0, cv::Size(16, 16));
        ok = writer.isOpened();
    }
    std::error_code ec;
    fs::remove(probe, ec);
    return ok;
}

void writeVideo(const std::vector<ImageRGB>& frames, const fs::path& path, double fps)
{
    const int fourcc = fourccFor(path);
    if (fourcc == 0)
        throw Error(path.string() + ": a video is written as .mp4 or .webm");
    if (frames.empty())
        throw Error(path.string() + ": no frames to write");
    if (!(fps > 0 && fps <= 240))
        throw Error(path.string() + ": frame rate " + std::to_string(fps) + " is outside 0…240");
    checkImage(frames.front(), path.string() + ": frame 0");
    // Even sizes: MPEG-4 and VP8 encoders refuse odd ones.
    const int width = std::max(2, frames.front().width & ~1);
    const int height = std::max(2, frames.front().height & ~1);
    const fs::path tmp = temporaryBeside(path);
    {
        cv::VideoWriter writer(tmp.string(), fourcc, fps, cv::Size(width, height));
        if (!writer.isOpened()) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throw Error(path.string() + ": this OpenCV build cannot write " + lowerSuffix(path) +
                        " videos (no encoder, or the folder is not writable); export a GIF instead");
        }
        for (size_t i = 0; i < frames.size(); ++i) {
            checkImage(frames[i], path.string() + ": frame " + std::to_string(i));
            const ImageRGB sized = scaleImage(frames[i], width, height, ScaleFilter::Bicubic);
            cv::Mat bgr;
            cv::cvtColor(asMat(sized), bgr, cv::COLOR_RGB2BGR);
            writer.write(bgr);
        }
    }
    std::error_code ec;
    if (!fs::exists(tmp, ec) || fs::file_size(tmp, ec) == 0) {
        fs::remove(tmp, ec);
        throw Error(path.string() + ": the video encoder wrote nothing");
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw Error(path.string() + ": cannot move the finished video into place: " + ec.message());
    }
}

} // namespace pae::io
