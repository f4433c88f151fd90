#include "core/edit/grid.h"

#include "core/util/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace pae {

ImageRGB makeLabelledGrid(const std::vector<ImageRGB>& tiles, const std::vector<std::string>& labels, int columns)
{
    if (tiles.empty())
        throw Error("grid: no images to put in a grid");
    if (labels.size() != tiles.size())
        throw Error("grid: " + std::to_string(tiles.size()) + " images but " + std::to_string(labels.size()) +
                    " labels");
    columns = std::max(1, std::min(columns, int(tiles.size())));
    const int rows = (int(tiles.size()) + columns - 1) / columns;
    const int w = tiles[0].width;
    const int h = tiles[0].height;
    const double fontScale = std::max(0.35, w / 400.0);
    const int thickness = std::max(1, int(fontScale * 1.5));
    int baseline = 0;
    const int textHeight = cv::getTextSize("Ag", cv::FONT_HERSHEY_SIMPLEX, fontScale, thickness, &baseline).height;
    const int strip = textHeight + baseline + 10;
    const int gap = 4;
    cv::Mat canvas((h + strip) * rows + gap * (rows - 1), w * columns + gap * (columns - 1), CV_8UC3,
                   cv::Scalar(255, 255, 255));
    for (size_t k = 0; k < tiles.size(); ++k) {
        const ImageRGB& tile = tiles[k];
        if (!tile.isValid())
            throw Error("grid: image " + std::to_string(k) + " is empty or malformed");
        cv::Mat src(tile.height, tile.width, CV_8UC3, const_cast<uint8_t*>(tile.pixels.data()));
        cv::Mat scaled;
        if (tile.width != w || tile.height != h)
            cv::resize(src, scaled, cv::Size(w, h), 0, 0, tile.width > w ? cv::INTER_AREA : cv::INTER_CUBIC);
        else
            scaled = src;
        const int col = int(k) % columns;
        const int row = int(k) / columns;
        const int x = col * (w + gap);
        const int y = row * (h + strip + gap);
        scaled.copyTo(canvas(cv::Rect(x, y + strip, w, h)));
        const cv::Size size = cv::getTextSize(labels[k], cv::FONT_HERSHEY_SIMPLEX, fontScale, thickness, &baseline);
        cv::putText(canvas, labels[k], cv::Point(x + std::max(0, (w - size.width) / 2), y + strip - baseline - 5),
                    cv::FONT_HERSHEY_SIMPLEX, fontScale, cv::Scalar(30, 30, 30), thickness, cv::LINE_AA);
    }
    ImageRGB out;
    out.width = canvas.cols;
    out.height = canvas.rows;
    out.pixels.assign(canvas.data, canvas.data + canvas.total() * 3);
    return out;
}

} // namespace pae
