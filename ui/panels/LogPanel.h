#pragma once
// The log dock: everything pae::log says, from any thread, newest at the bottom.
#include <QWidget>

#include <memory>

class QPlainTextEdit;
class QComboBox;

namespace pae::ui {

class LogSink;

class LogPanel : public QWidget {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    ~LogPanel() override;
    QString text() const;
    int lineCount() const;

public Q_SLOTS:
    void appendLogLine(const QString& line, int level);

private:
    std::shared_ptr<LogSink> m_sink;
    QPlainTextEdit* m_view = nullptr;
    QComboBox* m_level = nullptr;
};

} // namespace pae::ui
