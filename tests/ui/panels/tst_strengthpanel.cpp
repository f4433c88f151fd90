#include "ui/panels/SliderSpinBox.h"
#include "ui/panels/StrengthPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHelpEvent>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QToolTip>
#include <QtTest/QtTest>

using pae::ui::StrengthPanel;

namespace {
void compareToDefaults(const pae::EditRequest& r)
{
    const pae::EditRequest d = pae::EditRequest::defaults();
    QCOMPARE(r.lambdas.size(), size_t(1));
    QCOMPARE(r.lambdas.front(), d.lambdas.front());
    QCOMPARE(r.l2Weight, d.l2Weight);
    QCOMPARE(r.idWeight, d.idWeight);
    QCOMPARE(r.steps, d.steps);
    QCOMPARE(r.learningRate, d.learningRate);
    QCOMPARE(int(r.target), int(d.target));
    QCOMPARE(int(r.resolution), int(d.resolution));
    QCOMPARE(r.layers, d.layers);
    QCOMPARE(r.sharedOffset, d.sharedOffset);
}
} // namespace

class TestStrengthPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldShowTheDefaults_whenCreated()
    {
        StrengthPanel panel;
        pae::EditRequest r;
        panel.applyTo(r);
        compareToDefaults(r);
    }

    void shouldRestoreTheDefaults_whenResetIsClicked()
    {
        StrengthPanel panel;
        panel.lambdaControl()->setValue(17.5);
        panel.l2Control()->slider()->setValue(40); // drives the spin box: 0.040
        QCOMPARE(panel.l2Control()->value(), 0.04);
        panel.stepsControl()->spinBox()->setValue(630);
        panel.learningRateControl()->setValue(0.3);
        panel.targetControl()->setCurrentIndex(panel.targetControl()->findData(int(pae::TargetKind::Text)));
        panel.resolutionControl()->setCurrentIndex(1);
        pae::EditRequest changed;
        panel.applyTo(changed);
        QCOMPARE(changed.lambdas.front(), 17.5f);
        QCOMPARE(changed.steps, 630);
        QCOMPARE(int(changed.target), int(pae::TargetKind::Text));
        QCOMPARE(int(changed.resolution), int(pae::ResolutionMode::Full));

        QPushButton* reset = nullptr;
        for (QPushButton* b : panel.findChildren<QPushButton*>())
            if (b->text().contains(QStringLiteral("Reset")))
                reset = b;
        QVERIFY(reset);
        QTest::mouseClick(reset, Qt::LeftButton);
        pae::EditRequest r;
        panel.applyTo(r);
        compareToDefaults(r);
    }

    void shouldRoundTripARequest_whenSetAndRead()
    {
        StrengthPanel panel;
        pae::EditRequest in = pae::EditRequest::defaults();
        in.lambdas = {3.2f};
        in.l2Weight = 0.021f;
        in.steps = 90;
        in.learningRate = 0.045f;
        in.target = pae::TargetKind::Pae;
        in.resolution = pae::ResolutionMode::Full;
        panel.setFrom(in);
        pae::EditRequest out;
        panel.applyTo(out);
        QCOMPARE(out.lambdas, in.lambdas);
        QCOMPARE(out.l2Weight, in.l2Weight);
        QCOMPARE(out.steps, in.steps);
        QCOMPARE(out.learningRate, in.learningRate);
        QCOMPARE(int(out.target), int(in.target));
        QCOMPARE(int(out.resolution), int(in.resolution));
    }

    void shouldOfferTheGeneratorsRows_andShowAListMadeElsewhere()
    {
        StrengthPanel panel;
        panel.setLatentRows(10); // the built-in generator
        QStringList offered;
        for (int i = 0; i < panel.layersControl()->count(); ++i)
            offered << panel.layersControl()->itemData(i).toString();
        QCOMPARE(offered, (QStringList{"all", "0-3", "4-7", "0-7", "8-9"}));
        panel.layersControl()->setCurrentIndex(1);
        panel.spaceControl()->setCurrentIndex(1);
        pae::EditRequest r;
        panel.applyTo(r);
        QCOMPARE(r.layers, (std::vector<int>{0, 1, 2, 3}));
        QVERIFY(r.sharedOffset);
        // A list from pae-cli or a session is shown as it is, not replaced.
        pae::EditRequest in = pae::EditRequest::defaults();
        in.layers = {0, 5};
        panel.setFrom(in);
        QCOMPARE(panel.layersControl()->currentText(), QStringLiteral("Rows 0,5"));
        panel.applyTo(r);
        QCOMPARE(r.layers, (std::vector<int>{0, 5}));
        QVERIFY(!r.sharedOffset);
        // A generator with fewer rows: a list it cannot hold goes back to all rows, visibly.
        QSignalSpy changed(&panel, &StrengthPanel::changed);
        panel.setLatentRows(4);
        QCOMPARE(panel.layersControl()->currentData().toString(), QStringLiteral("all"));
        QCOMPARE(changed.count(), 1);
    }

    void shouldFollowTheModelsDefaults_butKeepWhatTheUserChanged()
    {
        StrengthPanel panel;
        pae::ModelInfo synthface;
        synthface.builtin = true;
        const pae::EditRequest builtin = pae::EditRequest::defaults(synthface);
        QVERIFY(builtin.l2Weight != pae::EditRequest::defaults().l2Weight);

        panel.setDefaults(builtin); // the built-in models are loaded
        pae::EditRequest r;
        panel.applyTo(r);
        QCOMPARE(r.l2Weight, builtin.l2Weight);
        QCOMPARE(r.lambdas.front(), builtin.lambdas.front());

        panel.lambdaControl()->setValue(5.0);            // the user's λ
        panel.setDefaults(pae::EditRequest::defaults()); // real models are loaded
        panel.applyTo(r);
        QCOMPARE(r.l2Weight, pae::EditRequest::defaults().l2Weight);
        QCOMPARE(r.lambdas.front(), 5.0f);

        panel.l2Control()->setValue(0.25); // the user's weight stays when the models change again
        panel.setDefaults(builtin);
        panel.applyTo(r);
        QCOMPARE(r.l2Weight, 0.25f);

        panel.resetToDefaults(); // Reset gives the loaded models' defaults
        panel.applyTo(r);
        QCOMPARE(r.l2Weight, builtin.l2Weight);
        QCOMPARE(r.lambdas.front(), builtin.lambdas.front());
    }

    // Hovering the disabled control or its label says why it is off (the tooltip Qt shows,
    // not just the property), and the label itself says so without hovering.
    void shouldSayWhyIdentityWeightIsOff_whenNoIdentityModelIsLoaded()
    {
        StrengthPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(!panel.identityControl()->isEnabled());
        QVERIFY2(panel.identityLabel()->text().contains(QStringLiteral("no model")),
                 qPrintable(panel.identityLabel()->text()));
        for (QWidget* hovered : {static_cast<QWidget*>(panel.identityLabel()),
                                 static_cast<QWidget*>(panel.identityControl()->spinBox())}) {
            QToolTip::hideText();
            QHelpEvent help(QEvent::ToolTip, QPoint(4, 4), hovered->mapToGlobal(QPoint(4, 4)));
            QApplication::sendEvent(hovered, &help);
            QTRY_VERIFY2(QToolTip::text().contains(QStringLiteral("face recognition model")),
                         qPrintable(hovered->metaObject()->className() + QStringLiteral(": ") + QToolTip::text()));
        }
        panel.setIdentityAvailable(true);
        QVERIFY(panel.identityControl()->isEnabled());
        QCOMPARE(panel.identityLabel()->text(), QStringLiteral("Identity weight"));
    }
};

QTEST_MAIN(TestStrengthPanel)
#include "tst_strengthpanel.moc"
