#include "core/edit/types.h"
#include "core/util/error.h"

#include <QtTest/QtTest>

class TestTypes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldRoundTrip_whenEveryValueIsPrintedAndParsed()
    {
        for (auto k : {pae::TargetKind::Text, pae::TargetKind::Pae, pae::TargetKind::PaePlus})
            QVERIFY(pae::parseTargetKind(pae::toString(k)) == k);
        for (auto m : {pae::ResolutionMode::Clip, pae::ResolutionMode::Full})
            QVERIFY(pae::parseResolutionMode(pae::toString(m)) == m);
        for (auto b : {pae::BasisKind::Pca, pae::BasisKind::GramSchmidt})
            QVERIFY(pae::parseBasisKind(pae::toString(b)) == b);
        QCOMPARE(pae::toString(pae::TargetKind::PaePlus), std::string("pae+"));
        QCOMPARE(pae::toString(pae::BasisKind::GramSchmidt), std::string("gram-schmidt"));
    }

    void shouldThrowUsageErrorNamingTheValue_whenUnknown_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QString>("value");
        QTest::newRow("target") << "target" << "pae++";
        QTest::newRow("target case") << "target" << "PAE";
        QTest::newRow("resolution") << "resolution" << "half";
        QTest::newRow("basis") << "basis" << "gramschmidt";
    }
    void shouldThrowUsageErrorNamingTheValue_whenUnknown()
    {
        QFETCH(QString, which);
        QFETCH(QString, value);
        const std::string v = value.toStdString();
        try {
            if (which == "target")
                pae::parseTargetKind(v);
            else if (which == "resolution")
                pae::parseResolutionMode(v);
            else
                pae::parseBasisKind(v);
            QFAIL("no error");
        } catch (const pae::UsageError& e) {
            QVERIFY2(QString(e.what()).contains("'" + value + "'"), e.what());
            QVERIFY2(QString(e.what()).startsWith(which), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestTypes)
#include "tst_types.moc"
