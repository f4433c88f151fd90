#include "core/io/image.h"
#include "core/io/image_mat.h"

#include "core/util/error.h"
#include "core/util/paths.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>

namespace pae::io {
namespace fs = std::filesystem;

namespace {

std::string lowerExtension(const fs::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

} // namespace

void checkImage(const ImageRGB& image, const std::string& what)
{
    if (image.width <= 0 || image.height <= 0)
        throw Error(what + ": the image is empty");
    if (!image.isValid())
        throw Error(what + ": the image holds " + std::to_string(image.pixels.size()) + " bytes, not " +
                    std::to_string(image.width) + "x" + std::to_string(image.height) + "x3");
}

cv::Mat asMat(const ImageRGB& image)
{
    return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
}

ImageRGB fromMat(const cv::Mat& rgb)
{
    ImageRGB image;
    image.width = rgb.cols;
    image.height = rgb.rows;
    image.pixels.resize(static_cast<size_t>(rgb.cols) * rgb.rows * 3);
    const size_t rowBytes = static_cast<size_t>(rgb.cols) * 3;
    for (int y = 0; y < rgb.rows; ++y)
        std::memcpy(image.pixels.data() + y * rowBytes, rgb.ptr(y), rowBytes);
    return image;
}

ImageRGB readImage(const fs::path& path)
{
    const std::string source = path.string();
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status))
        throw Error(source + ": is a folder, not an image file");
    if (fs::exists(status) && !fs::is_regular_file(status))
        throw Error(source + ": is not a regular file");
    // Read the bytes ourselves: cv::imread cannot tell "missing" from "not an image".
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(source + ": cannot open: " + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const std::streamoff length = in.tellg();
    in.seekg(0, std::ios::beg);
    // 100 MP (kMaxImagePixels) stored without compression take 300 MB (BMP); no image
    // within the pixel limit needs more.
    constexpr std::streamoff kMaxBytes = 512LL << 20;
    if (length > kMaxBytes)
        throw Error(source + ": " + std::to_string(length >> 20) + " MB is more than the " +
                    std::to_string(kMaxBytes >> 20) + " MB an image file may have");
    std::vector<uint8_t> bytes(length > 0 ? static_cast<size_t>(length) : 0);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        throw Error(source + ": cannot read the file: " + std::strerror(errno));
    return decodeImage(bytes.data(), bytes.size(), source);
}

void writeImage(const ImageRGB& image, const fs::path& path)
{
    const std::string target = path.string();
    checkImage(image, target);
    const std::string ext = lowerExtension(path);
    std::vector<int> params;
    if (ext == ".jpg" || ext == ".jpeg")
        params = {cv::IMWRITE_JPEG_QUALITY, 95};
    else if (ext == ".webp")
        params = {cv::IMWRITE_WEBP_QUALITY, 95};
    else if (ext != ".png" && ext != ".bmp")
        throw Error(target + ": cannot tell the image format from the extension " +
                    (ext.empty() ? std::string("(none)") : "'" + ext + "'") + "; use .png, .jpg, .jpeg, .webp or .bmp");
    cv::Mat bgr;
    cv::cvtColor(asMat(image), bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> encoded;
    try {
        if (!cv::imencode(ext, bgr, encoded, params))
            throw Error(target + ": the image could not be encoded as " + ext);
    } catch (const cv::Exception& e) {
        throw Error(target + ": the image could not be encoded as " + ext + ": " + e.msg);
    }
    writeFileAtomically(path, encoded.data(), encoded.size());
}

torch::Tensor imageToTensor(const ImageRGB& image)
{
    checkImage(image, "imageToTensor");
    const torch::Tensor hwc =
        torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {image.height, image.width, 3}, torch::kUInt8);
    return hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div_(255.0f).contiguous();
}

bool isWritableImagePath(const std::filesystem::path& path)
{
    const std::string ext = lowerExtension(path);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".webp" || ext == ".bmp";
}

ImageRGB tensorToImage(const torch::Tensor& chw01)
{
    if (!chw01.defined())
        throw Error("tensorToImage: the tensor is undefined");
    torch::Tensor t = chw01.detach();
    if (t.dim() == 4 && t.size(0) == 1)
        t = t.squeeze(0);
    if (t.dim() != 3 || t.size(0) != 3 || t.size(1) == 0 || t.size(2) == 0)
        throw Error("tensorToImage: expected [3,H,W] or [1,3,H,W], got " + c10::str(chw01.sizes()));
    if (!t.is_floating_point())
        throw Error("tensorToImage: expected a floating-point tensor, got " +
                    std::string(c10::toString(t.scalar_type())));
    // NaN would turn into an arbitrary byte; black makes it visible instead.
    const torch::Tensor bytes = torch::nan_to_num(t.to(torch::kCPU, torch::kFloat32), 0.0)
                                    .clamp(0.0, 1.0)
                                    .mul(255.0f)
                                    .round()
                                    .to(torch::kUInt8)
                                    .permute({1, 2, 0})
                                    .contiguous();
    ImageRGB image;
    image.height = static_cast<int>(t.size(1));
    image.width = static_cast<int>(t.size(2));
    image.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    return image;
}

ImageRGB resizeImage(const ImageRGB& image, int width, int height)
{
    checkImage(image, "resizeImage");
    if (width <= 0 || height <= 0)
        throw Error("resizeImage: invalid target size " + std::to_string(width) + "x" + std::to_string(height));
    if (width == image.width && height == image.height)
        return image;
    const bool shrinking = width <= image.width && height <= image.height;
    cv::Mat resized;
    cv::resize(asMat(image), resized, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_CUBIC);
    return fromMat(resized);
}

} // namespace pae::io
