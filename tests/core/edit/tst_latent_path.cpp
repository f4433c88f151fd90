#include "core/edit/latent_path.h"
#include "core/util/error.h"

#include <QtTest/QtTest>

namespace {
pae::Latent latent(std::vector<float> values, int numLatents = 1)
{
    pae::Latent l;
    l.numLatents = numLatents;
    l.styleDim = int(values.size()) / numLatents;
    l.values = std::move(values);
    return l;
}
} // namespace

class TestLatentPath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldWalkStraightThroughEveryStop()
    {
        const auto path = pae::latentPath({latent({0, 10}), latent({4, 10}), latent({4, -10})}, 4);
        QCOMPARE(int(path.size()), 1 + 2 * 4);
        const std::vector<std::vector<float>> expected = {{0, 10}, {1, 10}, {2, 10},  {3, 10}, {4, 10},
                                                          {4, 5},  {4, 0},  {4, -5}, {4, -10}};
        for (size_t i = 0; i < path.size(); ++i) {
            QCOMPARE(path[i].numLatents, 1);
            QCOMPARE(path[i].styleDim, 2);
            QCOMPARE(path[i].values, expected[i]);
        }
    }

    void shouldEndExactlyOnEachStop()
    {
        const pae::Latent a = latent({0.1f, 0.7f, -0.3f, 1e-3f}, 2), b = latent({0.3f, 0.11f, 0.9f, 7.f}, 2);
        const auto path = pae::latentPath({a, b}, 3);
        QCOMPARE(path.front().values, a.values);
        QCOMPARE(path.back().values, b.values);
    }

    void shouldRefuse_whenTheStopsDoNotFit()
    {
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::latentPath({latent({1, 2})}, 4));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::latentPath({latent({1, 2}), latent({1, 2, 3})}, 4));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::latentPath({latent({1, 2}), latent({3, 4})}, 0));
    }
};

QTEST_GUILESS_MAIN(TestLatentPath)
#include "tst_latent_path.moc"
