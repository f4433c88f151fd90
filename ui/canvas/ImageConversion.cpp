#include "ui/canvas/ImageConversion.h"

#include <cstring>

namespace pae::ui {

QImage toQImage(const pae::ImageRGB& image)
{
    if (!image.isValid())
        return {};
    QImage out(image.width, image.height, QImage::Format_RGB888);
    const size_t rowBytes = size_t(image.width) * 3;
    for (int y = 0; y < image.height; ++y)
        std::memcpy(out.scanLine(y), image.pixels.data() + size_t(y) * rowBytes, rowBytes);
    return out;
}

pae::ImageRGB toImageRGB(const QImage& image)
{
    pae::ImageRGB out;
    if (image.isNull())
        return out;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    out.width = rgb.width();
    out.height = rgb.height();
    const size_t rowBytes = size_t(out.width) * 3;
    out.pixels.resize(rowBytes * size_t(out.height));
    for (int y = 0; y < out.height; ++y)
        std::memcpy(out.pixels.data() + size_t(y) * rowBytes, rgb.constScanLine(y), rowBytes);
    return out;
}

QImage historyThumbnail(const QImage& image)
{
    return image.isNull() ? QImage() : image.scaled(112, 112, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

} // namespace pae::ui
