#pragma once
// Side-by-side λ values: one sweep (a single batched job), one tile per λ that fills as
// previews arrive. A click on a tile makes that result current.
#include "core/edit/edit_request.h"

#include <QImage>
#include <QVector>
#include <QWidget>

#include <vector>

class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;

namespace pae::ui {

class CompareTile;

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit ComparePanel(QWidget* parent = nullptr);

    // "2, 5, 8" → {2, 5, 8}. Empty result and *error set when the text is not a list of
    // positive numbers.
    static std::vector<float> parseLambdas(const QString& text, QString* error);
    QString lambdaText() const;
    // Run sweep / Enter in the list: emits sweepRequested, or shows under the list why the
    // list is wrong (and returns false).
    bool requestSweep();
    // The message on show under the λ list; empty when the list is fine.
    QString lambdaError() const;
    void setLambdaText(const QString& text);

    void startSweep(const std::vector<float>& lambdas);
    void setFrames(const QVector<QImage>& frames);
    void setResults(const QVector<QImage>& images, const std::vector<pae::EditMetrics>& metrics);
    void clearTiles();
    int tileCount() const;
    CompareTile* tile(int index) const;
    int selectedTile() const { return m_selected; }
    void selectTile(int index);
    // All tiles with their captions in one image, for export.
    QImage gridImage() const;
    void setRunEnabled(bool enabled);

Q_SIGNALS:
    void sweepRequested(const std::vector<float>& lambdas);
    void tileActivated(int index);
    void exportGridRequested();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitTiles();
    void showLambdaError(const QString& message);

    QLineEdit* m_lambdas = nullptr;
    QPushButton* m_run = nullptr;
    QPushButton* m_export = nullptr;
    QScrollArea* m_scroll = nullptr;
    QWidget* m_strip = nullptr;
    QHBoxLayout* m_stripLayout = nullptr;
    QLabel* m_hint = nullptr;
    QLabel* m_error = nullptr;
    QVector<CompareTile*> m_tiles;
    int m_selected = -1;
};

} // namespace pae::ui
