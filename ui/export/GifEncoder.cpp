#include "ui/export/GifEncoder.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <vector>

namespace pae::ui {

namespace {

struct Rgb {
    uint8_t c[3];
};

void put16(QByteArray& out, int v)
{
    out.append(char(v & 0xff));
    out.append(char((v >> 8) & 0xff));
}

// Median cut: split the box with the widest channel range at its median until there are
// 256 boxes; each palette colour is its box's mean.
std::vector<Rgb> medianCutPalette(std::vector<Rgb> pixels)
{
    struct Box {
        size_t begin, end;
        int channel = 0;
        int range = 0;
    };
    auto measure = [&](Box& b) {
        int lo[3] = {255, 255, 255}, hi[3] = {0, 0, 0};
        for (size_t i = b.begin; i < b.end; ++i)
            for (int c = 0; c < 3; ++c) {
                lo[c] = std::min<int>(lo[c], pixels[i].c[c]);
                hi[c] = std::max<int>(hi[c], pixels[i].c[c]);
            }
        b.range = -1;
        for (int c = 0; c < 3; ++c)
            if (hi[c] - lo[c] > b.range) {
                b.range = hi[c] - lo[c];
                b.channel = c;
            }
    };
    std::vector<Box> boxes{{0, pixels.size()}};
    measure(boxes[0]);
    while (boxes.size() < 256) {
        auto it = std::max_element(boxes.begin(), boxes.end(), [](const Box& a, const Box& b) {
            return double(a.range) * double(a.end - a.begin) < double(b.range) * double(b.end - b.begin);
        });
        if (it->range <= 0 || it->end - it->begin < 2)
            break;
        Box b = *it;
        const size_t mid = b.begin + (b.end - b.begin) / 2;
        const int ch = b.channel;
        std::nth_element(pixels.begin() + long(b.begin), pixels.begin() + long(mid), pixels.begin() + long(b.end),
                         [ch](const Rgb& x, const Rgb& y) { return x.c[ch] < y.c[ch]; });
        Box left{b.begin, mid}, right{mid, b.end};
        measure(left);
        measure(right);
        *it = left;
        boxes.push_back(right);
    }
    std::vector<Rgb> palette;
    for (const Box& b : boxes) {
        double sum[3] = {0, 0, 0};
        for (size_t i = b.begin; i < b.end; ++i)
            for (int c = 0; c < 3; ++c)
                sum[c] += pixels[i].c[c];
        const double n = double(std::max<size_t>(1, b.end - b.begin));
        palette.push_back(Rgb{{uint8_t(sum[0] / n + 0.5), uint8_t(sum[1] / n + 0.5), uint8_t(sum[2] / n + 0.5)}});
    }
    palette.resize(256, Rgb{{0, 0, 0}});
    return palette;
}

class BitWriter {
public:
    explicit BitWriter(QByteArray& out) : m_out(out) {}
    void write(int code, int bits)
    {
        m_acc |= uint32_t(code) << m_count;
        m_count += bits;
        while (m_count >= 8) {
            byte(uint8_t(m_acc & 0xff));
            m_acc >>= 8;
            m_count -= 8;
        }
    }
    void finish()
    {
        if (m_count > 0)
            byte(uint8_t(m_acc & 0xff));
        flushBlock();
        m_out.append(char(0)); // block terminator
    }

private:
    void byte(uint8_t b)
    {
        m_block[size_t(m_blockSize++)] = b;
        if (m_blockSize == 255)
            flushBlock();
    }
    void flushBlock()
    {
        if (m_blockSize == 0)
            return;
        m_out.append(char(m_blockSize));
        m_out.append(reinterpret_cast<const char*>(m_block.data()), m_blockSize);
        m_blockSize = 0;
    }
    QByteArray& m_out;
    uint32_t m_acc = 0;
    int m_count = 0;
    std::array<uint8_t, 255> m_block{};
    int m_blockSize = 0;
};

void lzwEncode(const std::vector<uint8_t>& indices, QByteArray& out)
{
    constexpr int minCodeSize = 8;
    constexpr int clearCode = 1 << minCodeSize;
    constexpr int endCode = clearCode + 1;
    out.append(char(minCodeSize));
    BitWriter bits(out);
    std::unordered_map<uint32_t, int> dict;
    dict.reserve(8192);
    int codeSize = minCodeSize + 1;
    int lastCode = endCode; // the highest code assigned so far
    bits.write(clearCode, codeSize);
    if (indices.empty()) {
        bits.write(endCode, codeSize);
        bits.finish();
        return;
    }
    int current = indices[0];
    for (size_t i = 1; i < indices.size(); ++i) {
        const uint32_t key = (uint32_t(current) << 8) | indices[i];
        const auto found = dict.find(key);
        if (found != dict.end()) {
            current = found->second;
            continue;
        }
        bits.write(current, codeSize);
        dict.emplace(key, ++lastCode);
        if (lastCode >= (1 << codeSize) && codeSize < 12)
            ++codeSize;
        if (lastCode == 4095) {
            bits.write(clearCode, codeSize);
            dict.clear();
            codeSize = minCodeSize + 1;
            lastCode = endCode;
        }
        current = indices[i];
    }
    bits.write(current, codeSize);
    // The decoder adds one more entry after reading that last code and may widen its codes
    // before it reads the end code; follow it.
    if (lastCode + 1 >= (1 << codeSize) && codeSize < 12 && lastCode != endCode)
        ++codeSize;
    bits.write(endCode, codeSize);
    bits.finish();
}

} // namespace

QByteArray GifEncoder::encode(const QVector<QImage>& frames, int delayMs)
{
    QByteArray out;
    if (frames.isEmpty())
        return out;
    const QSize size = frames.first().size();
    out.append("GIF89a", 6);
    put16(out, size.width());
    put16(out, size.height());
    out.append(char(0x70)); // no global colour table, 8-bit colour resolution
    out.append(char(0));
    out.append(char(0));
    // NETSCAPE2.0 application extension: loop forever.
    out.append("\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00", 19);
    const int delay = std::max(2, (delayMs + 5) / 10);

    for (const QImage& frame : frames) {
        QImage rgb = frame.convertToFormat(QImage::Format_RGB888);
        if (rgb.size() != size)
            rgb = rgb.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        const int w = size.width(), h = size.height();
        std::vector<Rgb> pixels;
        pixels.reserve(size_t(w) * size_t(h));
        for (int y = 0; y < h; ++y) {
            const uchar* line = rgb.constScanLine(y);
            for (int x = 0; x < w; ++x)
                pixels.push_back(Rgb{{line[3 * x], line[3 * x + 1], line[3 * x + 2]}});
        }
        const std::vector<Rgb> palette = medianCutPalette(pixels);
        std::vector<int16_t> cache(1 << 15, -1); // nearest colour per 5-bit-per-channel cell
        auto nearest = [&](const Rgb& p) {
            const int key = ((p.c[0] >> 3) << 10) | ((p.c[1] >> 3) << 5) | (p.c[2] >> 3);
            if (cache[size_t(key)] >= 0)
                return uint8_t(cache[size_t(key)]);
            int best = 0, bestD = 1 << 30;
            for (int i = 0; i < 256; ++i) {
                const int dr = p.c[0] - palette[size_t(i)].c[0], dg = p.c[1] - palette[size_t(i)].c[1],
                          db = p.c[2] - palette[size_t(i)].c[2];
                const int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
                if (d < bestD) {
                    bestD = d;
                    best = i;
                }
            }
            cache[size_t(key)] = int16_t(best);
            return uint8_t(best);
        };
        std::vector<uint8_t> indices(pixels.size());
        for (size_t i = 0; i < pixels.size(); ++i)
            indices[i] = nearest(pixels[i]);

        out.append("\x21\xf9\x04", 3);
        out.append(char(0x04)); // disposal: leave in place, no transparency
        put16(out, delay);
        out.append(char(0));
        out.append(char(0));
        out.append(char(0x2c));
        put16(out, 0);
        put16(out, 0);
        put16(out, w);
        put16(out, h);
        out.append(char(0x87)); // local colour table of 256 entries
        for (const Rgb& c : palette)
            out.append(reinterpret_cast<const char*>(c.c), 3);
        lzwEncode(indices, out);
    }
    out.append(char(0x3b));
    return out;
}

} // namespace pae::ui
