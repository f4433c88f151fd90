#include "ui/MainWindow.h"

#include <QApplication>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("PAE Studio");
    QApplication::setOrganizationName("PAE Studio");
    QApplication::setApplicationVersion(PAE_VERSION);

    pae::ui::MainWindow window;
    window.show();
    return app.exec();
}
