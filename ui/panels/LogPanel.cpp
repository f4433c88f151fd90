#include "ui/panels/LogPanel.h"

#include "ui/LogSink.h"

#include "core/util/log.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace pae::ui {

LogPanel::LogPanel(QWidget* parent) : QWidget(parent)
{
    m_view = new QPlainTextEdit(this);
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(5000);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setToolTip(tr("Messages from the models and edit jobs."));
    m_level = new QComboBox(this);
    m_level->addItem(tr("Debug"), int(spdlog::level::debug));
    m_level->addItem(tr("Info"), int(spdlog::level::info));
    m_level->addItem(tr("Warnings"), int(spdlog::level::warn));
    m_level->setCurrentIndex(1);
    m_level->setToolTip(tr("Least important messages shown"));
    auto* clear = new QPushButton(tr("Clear"), this);
    clear->setToolTip(tr("Clear the log view"));
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Show"), this));
    row->addWidget(m_level);
    row->addStretch(1);
    row->addWidget(clear);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(row);
    layout->addWidget(m_view, 1);
    connect(clear, &QPushButton::clicked, m_view, &QPlainTextEdit::clear);
    connect(m_level, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        const auto level = spdlog::level::level_enum(m_level->currentData().toInt());
        m_sink->set_level(level);
        if (pae::log::get().level() > level)
            pae::log::setLevel(level);
    });

    m_sink = std::make_shared<LogSink>(this);
    m_sink->set_level(spdlog::level::info);
    pae::log::addSink(m_sink);
}

LogPanel::~LogPanel() { m_sink->detach(); }

void LogPanel::appendLogLine(const QString& line, int level)
{
    QString shown = line.trimmed().toHtmlEscaped();
    if (level >= int(spdlog::level::err))
        shown = QStringLiteral("<span style=\"color:#c0392b\">%1</span>").arg(shown);
    else if (level == int(spdlog::level::warn))
        shown = QStringLiteral("<span style=\"color:#b9770e\">%1</span>").arg(shown);
    m_view->appendHtml(QStringLiteral("<pre style=\"margin:0\">%1</pre>").arg(shown));
}

QString LogPanel::text() const { return m_view->toPlainText(); }

int LogPanel::lineCount() const { return m_view->blockCount(); }

} // namespace pae::ui

// Per-class moc keeps each class in its own object file, so a test links only what it uses.
#include "moc_LogPanel.cpp"
