#pragma once
#include <QMainWindow>

class QLabel;

namespace pae::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Opens an image file into the canvas; returns false and shows why when it cannot.
    bool openImage(const QString& path);
    QImage currentImage() const;

private:
    QLabel* m_canvas = nullptr;
    QImage m_image;
};

} // namespace pae::ui
