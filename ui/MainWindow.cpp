#include "ui/MainWindow.h"

#include <QFileDialog>
#include <QImageReader>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace pae::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("PAE Studio");
    m_canvas = new QLabel(tr("Open a face (Ctrl+O)"), this);
    m_canvas->setAlignment(Qt::AlignCenter);
    m_canvas->setMinimumSize(256, 256);
    setCentralWidget(m_canvas);

    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open image…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open image"), QString(),
                                                          tr("Images (*.png *.jpg *.jpeg *.webp *.bmp)"));
        if (!path.isEmpty())
            openImage(path);
    });
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    resize(900, 700);
    statusBar()->showMessage(tr("Ready"));
}

bool MainWindow::openImage(const QString& path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    QImage image = reader.read();
    if (image.isNull()) {
        const QString message = tr("%1: %2").arg(path, reader.errorString());
        statusBar()->showMessage(message);
        if (isVisible())
            QMessageBox::warning(this, tr("Cannot open image"), message);
        return false;
    }
    m_image = image.convertToFormat(QImage::Format_RGB888);
    m_canvas->setPixmap(QPixmap::fromImage(m_image).scaled(m_canvas->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation));
    statusBar()->showMessage(tr("%1 (%2×%3)").arg(path).arg(m_image.width()).arg(m_image.height()));
    return true;
}

QImage MainWindow::currentImage() const { return m_image; }

} // namespace pae::ui
