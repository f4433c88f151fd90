// Decoding input images with limits: the size is read from the header and checked before
// a pixel is decoded, and JPEGs are checked by libjpeg itself, whose damage reports OpenCV
// would otherwise print as raw text or not at all.
#include "core/io/image.h"
#include "core/io/image_mat.h"

#include "core/util/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <utility>

#include <jerror.h>
#include <jpeglib.h>
#include <zlib.h>

namespace pae::io {
namespace {

struct Size {
    int64_t width = 0;
    int64_t height = 0;
};

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
uint32_t le32(const uint8_t* p) { return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]; }
uint32_t le24(const uint8_t* p) { return uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]; }
uint32_t le16(const uint8_t* p) { return uint32_t(p[1]) << 8 | p[0]; }

bool startsWith(const uint8_t* data, size_t size, const char* magic, size_t offset = 0)
{
    const size_t n = std::strlen(magic);
    return size >= offset + n && std::memcmp(data + offset, magic, n) == 0;
}

// Width and height from the header of a PNG, BMP or WebP; nullopt for other formats or a
// header too short to say (the decoder then refuses the file itself).
std::optional<Size> headerSize(const uint8_t* d, size_t n)
{
    if (startsWith(d, n, "\x89PNG\r\n\x1a\n") && startsWith(d, n, "IHDR", 12) && n >= 24)
        return Size{be32(d + 16), be32(d + 20)};
    if (startsWith(d, n, "BM") && n >= 26) {
        const uint32_t headerBytes = le32(d + 14);
        if (headerBytes == 12)
            return Size{le16(d + 18), le16(d + 20)};
        const int64_t height = int32_t(le32(d + 22)); // negative: rows stored top-down
        return Size{int32_t(le32(d + 18)), height < 0 ? -height : height};
    }
    if (startsWith(d, n, "RIFF") && startsWith(d, n, "WEBP", 8) && n >= 30) {
        if (startsWith(d, n, "VP8X", 12))
            return Size{int64_t(le24(d + 24)) + 1, int64_t(le24(d + 27)) + 1};
        if (startsWith(d, n, "VP8L", 12) && d[20] == 0x2f) {
            const uint32_t bits = le32(d + 21);
            return Size{int64_t(bits & 0x3fff) + 1, int64_t((bits >> 14) & 0x3fff) + 1};
        }
        if (startsWith(d, n, "VP8 ", 12))
            return Size{le16(d + 26) & 0x3fff, le16(d + 28) & 0x3fff};
    }
    return std::nullopt;
}

// libpng prints its own "libpng error: …" line for a damaged file before OpenCV gives up;
// checking every chunk's CRC first refuses damaged and truncated files with our message
// (only a file crafted with valid CRCs around bad data gets as far as libpng).
void checkPngChunks(const uint8_t* d, size_t n, const std::string& source)
{
    size_t pos = 8;
    bool first = true;
    while (true) {
        if (pos + 12 > n)
            throw Error(source + ": the PNG is truncated (it ends at byte " + std::to_string(n) +
                        " without its IEND chunk)");
        const uint32_t length = be32(d + pos);
        const std::string type(reinterpret_cast<const char*>(d + pos + 4), 4);
        if (length > 0x7fffffffu || length > n - pos - 12)
            throw Error(source + ": the PNG is truncated or damaged (chunk at byte " + std::to_string(pos) +
                        " claims " + std::to_string(length) + " bytes, " + std::to_string(n - pos - 12) + " are left)");
        const uint32_t stored = be32(d + pos + 8 + length);
        const uint32_t computed = uint32_t(crc32(crc32(0L, Z_NULL, 0), d + pos + 4, length + 4));
        if (stored != computed)
            throw Error(source + ": the PNG is damaged (the chunk at byte " + std::to_string(pos) +
                        " fails its CRC check)");
        if (first && type != "IHDR")
            throw Error(source + ": the PNG is damaged (it does not start with an IHDR chunk)");
        first = false;
        if (type == "IEND")
            return;
        pos += 12 + size_t(length);
    }
}

std::string megapixels(const Size& s)
{
    char text[96];
    std::snprintf(text, sizeof text, "%lldx%lld pixels (%.1f MP)", static_cast<long long>(s.width),
                  static_cast<long long>(s.height), double(s.width) * double(s.height) / 1e6);
    return text;
}

void checkSize(const Size& s, const std::string& source)
{
    if (s.width <= 0 || s.height <= 0)
        throw Error(source + ": the image header gives a size of " + megapixels(s) + "; the file is corrupt");
    // Each side alone first: the product of two 32-bit sides can overflow (fuzz finding).
    if (s.width > kMaxImagePixels || s.height > kMaxImagePixels || s.width * s.height > kMaxImagePixels)
        throw Error(source + ": " + megapixels(s) + " is more than the " + std::to_string(kMaxImagePixels / 1000000) +
                    " MP an input image may have; shrink it first");
}

// ── JPEG: libjpeg reads the whole file at 1/8 scale (cheap: no full-size pixels) and
// reports what it had to repair ──────────────────────────────────────────────────────────
struct JpegErrors {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char fatal[JMSG_LENGTH_MAX] = {};
    char firstWarning[JMSG_LENGTH_MAX] = {};
    int warnings = 0;
    bool truncated = false;
};

void jpegFatal(j_common_ptr cinfo)
{
    auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
    cinfo->err->format_message(cinfo, e->fatal);
    std::longjmp(e->jump, 1);
}

void jpegMessage(j_common_ptr cinfo, int level)
{
    if (level >= 0)
        return; // trace messages
    auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
    if (cinfo->err->msg_code == JWRN_JPEG_EOF)
        e->truncated = true;
    if (e->warnings++ == 0)
        cinfo->err->format_message(cinfo, e->firstWarning);
}

void jpegSilent(j_common_ptr) {}

// Throws for a JPEG that cannot be decoded, is truncated or holds damaged data.
void checkJpeg(const uint8_t* data, size_t size, const std::string& source)
{
    jpeg_decompress_struct cinfo;
    JpegErrors errors;
    cinfo.err = jpeg_std_error(&errors.mgr);
    errors.mgr.error_exit = jpegFatal;
    errors.mgr.emit_message = jpegMessage;
    errors.mgr.output_message = jpegSilent;
    // Nothing with a destructor may be created between setjmp and the last libjpeg call;
    // the row buffer comes from libjpeg's own pool, freed by jpeg_destroy_decompress.
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&cinfo);
        throw Error(source + ": not a JPEG that can be read: " + errors.fatal);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
    jpeg_read_header(&cinfo, TRUE);
    const Size s{cinfo.image_width, cinfo.image_height};
    if (s.width > kMaxImagePixels || s.height > kMaxImagePixels || s.width * s.height > kMaxImagePixels) {
        jpeg_destroy_decompress(&cinfo);
        checkSize(s, source);
    }
    cinfo.scale_num = 1;
    cinfo.scale_denom = 8;
    cinfo.dct_method = JDCT_IFAST;
    cinfo.do_fancy_upsampling = FALSE;
    jpeg_start_decompress(&cinfo);
    JSAMPARRAY rows = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                                 cinfo.output_width * cinfo.output_components, 1);
    while (cinfo.output_scanline < cinfo.output_height)
        jpeg_read_scanlines(&cinfo, rows, 1);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    // Refused rather than repaired: libjpeg fills what is missing with grey, and OpenCV would
    // print libjpeg's raw warning while decoding it again.
    if (errors.truncated)
        throw Error(source + ": the JPEG is truncated (libjpeg: " + errors.firstWarning +
                    "); part of the picture is missing");
    if (errors.warnings > 0)
        throw Error(source + ": the JPEG data is damaged (libjpeg: " + errors.firstWarning +
                    (errors.warnings > 1 ? ", and " + std::to_string(errors.warnings - 1) + " more" : std::string()) +
                    "); re-save the picture with an image editor");
}

// OpenCV 4.6's imdecode prints a decoder's failure straight to std::cerr ("imdecode_(''):
// can't read header: …"); it is caught here and becomes part of our one error line. Only
// std::cerr is redirected (spdlog and Qt write to the C stream), under a lock.
cv::Mat decodeQuietly(const uint8_t* data, size_t size, const std::string& source, std::string& said)
{
    static std::mutex lock;
    const std::lock_guard<std::mutex> guard(lock);
    std::ostringstream captured;
    std::streambuf* const previous = std::cerr.rdbuf(captured.rdbuf());
    cv::Mat bgr;
    try {
        // IMREAD_COLOR: 8-bit, 3 channels, whatever the file stores (grey, 16-bit, alpha).
        bgr = cv::imdecode(
            cv::Mat(1, static_cast<int>(std::min<size_t>(size, INT32_MAX)), CV_8U, const_cast<uint8_t*>(data)),
            cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        std::cerr.rdbuf(previous);
        throw Error(source + ": cannot decode the image: " + e.msg);
    }
    std::cerr.rdbuf(previous);
    said = captured.str();
    const std::string prefix = "imdecode_(''): ";
    if (said.compare(0, prefix.size(), prefix) == 0)
        said.erase(0, prefix.size());
    said = said.substr(0, said.find('\n'));
    return bgr;
}

// The formats a face is read from, by their first bytes; null for anything else. OpenCV
// would try every decoder it was built with, and some abort the process on a bad file
// (GDCM's DICOM reader asserts: found by fuzz_image), so only these reach it.
const char* readableFormat(const uint8_t* d, size_t n)
{
    if (startsWith(d, n, "\xff\xd8\xff"))
        return "JPEG";
    if (startsWith(d, n, "\x89PNG\r\n\x1a\n"))
        return "PNG";
    if (startsWith(d, n, "RIFF") && startsWith(d, n, "WEBP", 8))
        return "WebP";
    if (startsWith(d, n, "BM"))
        return "BMP";
    static const uint8_t tiffLittle[] = {'I', 'I', 42, 0}, tiffBig[] = {'M', 'M', 0, 42};
    if (n >= 4 && (std::memcmp(d, tiffLittle, 4) == 0 || std::memcmp(d, tiffBig, 4) == 0))
        return "TIFF";
    return nullptr;
}

} // namespace

ImageRGB decodeImage(const uint8_t* data, size_t size, const std::string& source)
{
    if (size == 0)
        throw Error(source + ": the file is empty");
    const char* format = readableFormat(data, size);
    if (!format)
        throw Error(source + ": not an image in a format that can be read (PNG, JPEG, WebP, BMP or TIFF)" +
                    std::string(startsWith(data, size, "DICM", 128) ? "; it is a DICOM file" : ""));
    // OpenCV picks a decoder by signature, and one that turns the file down passes it on to
    // the next whose signature matches: a file that starts as WebP but is not one, and carries
    // DICOM's "DICM" at byte 128, went on to GDCM's reader, which aborts the process (found
    // by fuzz_image after 7.6 M runs). DICOM (byte 128) and DTED (GDAL, byte 140) are the
    // signatures OpenCV looks for past the start, so a file that carries either is refused.
    if (startsWith(data, size, "DICM", 128) || startsWith(data, size, "DTED", 140))
        throw Error(source + ": not a " + format + " image that can be read: it starts as " + format +
                    " but also carries a " + (startsWith(data, size, "DICM", 128) ? "DICOM" : "DTED") +
                    " signature; re-save the picture as PNG or JPEG");
    if (startsWith(data, size, "\xff\xd8\xff")) {
        checkJpeg(data, size, source);
    } else {
        if (const auto s = headerSize(data, size))
            checkSize(*s, source);
        if (startsWith(data, size, "\x89PNG\r\n\x1a\n"))
            checkPngChunks(data, size, source);
    }
    std::string opencvSaid;
    const cv::Mat bgr = decodeQuietly(data, size, source, opencvSaid);
    if (bgr.empty())
        throw Error(source + ": not an image in a format that can be read (or the file is corrupt" +
                    (opencvSaid.empty() ? std::string() : "; OpenCV: " + opencvSaid) + ")");
    checkSize({bgr.cols, bgr.rows}, source);
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return fromMat(rgb);
}

} // namespace pae::io
