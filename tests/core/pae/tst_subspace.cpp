#include "TestSupport.h"
#include "core/pae/subspace.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

using pae::test::errorOf;

namespace {

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

double orthonormalityError(const torch::Tensor& basis)
{
    const torch::Tensor b = basis.to(torch::kFloat64);
    return maxAbsDiff(b.matmul(b.t()), torch::eye(b.size(0), torch::kFloat64));
}

// Eight samples of two zero-mean, exactly uncorrelated signals of equal spread.
torch::Tensor signalA() { return torch::tensor({1., -1., 1., -1., 1., -1., 1., -1.}, torch::kFloat64); }
torch::Tensor signalB() { return torch::tensor({1., 1., -1., -1., 1., 1., -1., -1.}, torch::kFloat64); }

// Columns 0..2 carry the same signal a at very different scales, column 3 carries b.
// Standardized, the correlation matrix has eigenvalues 3 (axis (1,1,1,0)/√3) and 1
// (axis (0,0,0,1)); unstandardized, column 1 (scale 10) dominates the first axis.
torch::Tensor scaledData()
{
    const torch::Tensor a = signalA(), b = signalB();
    return torch::stack({a, 10 * a, 0.1 * a, b}, 1) + torch::tensor({0.2, -0.1, 0.3, 0.05}, torch::kFloat64);
}

} // namespace

class TestSubspace : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(1234); }

    void shouldGiveOrthonormalRows_whenPcaOnEmbeddingLikeData()
    {
        // CLIP-like: a shared mean direction plus spread, rows normalized, 300 x 512.
        torch::Tensor x = torch::randn({300, 512}) * 0.3 + torch::randn({1, 512});
        x = x / x.norm(2, 1, true);
        const pae::Subspace s = pae::pcaBasis(x, 10);
        QCOMPARE(s.basis.size(0), int64_t(10));
        QCOMPARE(s.basis.size(1), int64_t(512));
        QVERIFY(s.basis.dtype() == torch::kFloat32);
        QVERIFY2(orthonormalityError(s.basis) < 1e-5, qPrintable(QString::number(orthonormalityError(s.basis))));
        QVERIFY(s.kind == pae::BasisKind::Pca);
        QVERIFY(s.explainedVariance > 0 && s.explainedVariance < 1);
    }

    void shouldMatchTheCorrelationEigenvectors_whenComparedToAnIndependentDerivation()
    {
        // PCA on standardized data = eigenvectors of the correlation matrix; here via
        // eigh on the covariance of z instead of SVD of z.
        torch::Tensor x = torch::randn({120, 40}, torch::kFloat64) * torch::linspace(0.1, 3.0, 40, torch::kFloat64);
        x = x + torch::randn({120, 1}, torch::kFloat64) * torch::randn({1, 40}, torch::kFloat64);
        const int k = 6;
        const pae::Subspace s = pae::pcaBasis(x.to(torch::kFloat32), k);

        const torch::Tensor z = (x - x.mean(0)) / x.std(0, /*unbiased=*/false);
        auto [evals, evecs] = torch::linalg_eigh(z.t().matmul(z));
        const torch::Tensor top = evecs.slice(1, 40 - k, 40).flip({1}).t(); // [k, 40], largest first
        for (int j = 0; j < k; ++j) {
            const double cosine = std::abs(top[j].dot(s.basis[j].to(torch::kFloat64)).item<double>());
            QVERIFY2(cosine > 1 - 1e-4, qPrintable(QString("axis %1: |cos| = %2").arg(j).arg(cosine)));
        }
        const torch::Tensor sorted = evals.flip({0});
        const double expected = (sorted.slice(0, 0, k).sum() / sorted.sum()).item<double>();
        QVERIFY(std::abs(s.explainedVariance - expected) < 1e-6);
    }

    void shouldRecoverTheKnownAxes_whenDataIsHandMade()
    {
        const pae::Subspace s = pae::pcaBasis(scaledData().to(torch::kFloat32), 2);
        const double r = 1 / std::sqrt(3.0);
        const torch::Tensor expected = torch::tensor({{r, r, r, 0.}, {0., 0., 0., 1.}}, torch::kFloat64);
        QVERIFY2(maxAbsDiff(s.basis, expected) < 1e-6, qPrintable(QString::number(maxAbsDiff(s.basis, expected))));
        // eigenvalues 3 and 1 of a total of 4
        QVERIFY(std::abs(s.explainedVariance - 1.0) < 1e-9);
        QVERIFY(std::abs(pae::pcaBasis(scaledData().to(torch::kFloat32), 1).explainedVariance - 0.75) < 1e-6);
    }

    void shouldChangeTheAnswer_whenDimensionsAreStandardized()
    {
        const torch::Tensor x = scaledData();
        const torch::Tensor centred = x - x.mean(0);
        auto [u, sv, vh] = torch::linalg_svd(centred, false);
        const torch::Tensor plainAxis = vh[0] * (vh[0][1].item<double>() < 0 ? -1 : 1);
        // Without standardization the first axis is almost column 1 alone ...
        QVERIFY(plainAxis[1].item<double>() > 0.99);
        // ... with it, the three correlated columns weigh the same.
        const torch::Tensor axis = pae::pcaBasis(x.to(torch::kFloat32), 1).basis[0].to(torch::kFloat64);
        const double cosine = axis.dot(plainAxis).item<double>();
        QVERIFY2(cosine < 0.7, qPrintable(QString::number(cosine))); // 1.105/√3 ≈ 0.64 by construction
        QVERIFY(std::abs(axis[0].item<double>() - axis[2].item<double>()) < 1e-6);
    }

    void shouldStayFinite_whenADimensionIsConstant()
    {
        torch::Tensor x = torch::cat({scaledData(), torch::full({8, 1}, 0.7, torch::kFloat64)}, 1);
        const pae::Subspace s = pae::pcaBasis(x.to(torch::kFloat32), 2);
        QVERIFY(torch::isfinite(s.basis).all().item<bool>());
        QVERIFY(std::abs(s.basis[0][4].item<float>()) < 1e-6);
        QVERIFY(orthonormalityError(s.basis) < 1e-5);
    }

    void shouldBeDeterministic_whenDataIsNegatedOrReordered()
    {
        torch::Tensor x = torch::randn({50, 16});
        const pae::Subspace s = pae::pcaBasis(x, 4);
        QVERIFY(maxAbsDiff(pae::pcaBasis(-x, 4).basis, s.basis) < 1e-5);
        QVERIFY(maxAbsDiff(pae::pcaBasis(x.flip({0}), 4).basis, s.basis) < 1e-5);
        for (int j = 0; j < 4; ++j) {
            const torch::Tensor row = s.basis[j];
            QVERIFY(row[row.abs().argmax()].item<float>() > 0);
        }
    }

    void shouldRefuse_whenKIsOutOfRange()
    {
        const torch::Tensor x = torch::randn({8, 4});
        QVERIFY(pae::pcaBasis(x, 4).basis.size(0) == 4);
        const std::string tooMany = errorOf([&] { pae::pcaBasis(x, 5); });
        QVERIFY2(tooMany.find("at most 4") != std::string::npos, tooMany.c_str());
        const std::string fewPrompts = errorOf([&] { pae::pcaBasis(torch::randn({3, 10}), 3); });
        QVERIFY2(fewPrompts.find("at most 2") != std::string::npos &&
                     fewPrompts.find("centring") != std::string::npos,
                 fewPrompts.c_str());
        QVERIFY(errorOf([&] { pae::pcaBasis(x, 0); }) != pae::test::kNoError);
        QVERIFY(errorOf([&] { pae::pcaBasis(torch::randn({8}), 1); }) != pae::test::kNoError);
        QVERIFY(errorOf([&] { pae::pcaBasis(torch::full({8, 4}, NAN), 1); }).find("NaN") != std::string::npos);
    }

    void shouldRefuse_whenTheCorpusHasFewerDirectionsThanK()
    {
        // scaledData has rank 2 after centring.
        const std::string message = errorOf([&] { pae::pcaBasis(scaledData().to(torch::kFloat32), 3); });
        QVERIFY2(message.find("fewer than 3 independent directions") != std::string::npos, message.c_str());
    }

    void shouldOrthonormalizeInOrder_whenVectorsAreHandMade()
    {
        const torch::Tensor v = torch::tensor({{2., 0., 0., 0.}, {1., 3., 0., 0.}, {5., -1., 0.5, 0.}});
        const pae::Subspace s = pae::gramSchmidtBasis(v);
        const torch::Tensor expected = torch::tensor({{1., 0., 0., 0.}, {0., 1., 0., 0.}, {0., 0., 1., 0.}});
        QVERIFY(maxAbsDiff(s.basis, expected) < 1e-7);
        QVERIFY(s.kind == pae::BasisKind::GramSchmidt);
        QCOMPARE(s.describe(), std::string("Gram–Schmidt k=3"));

        // Close vectors, as CLIP prompts are (cos ≈ 0.9): still orthonormal, span kept.
        torch::Tensor w = torch::randn({6, 512}) * 0.15 + torch::randn({1, 512});
        w = w / w.norm(2, 1, true);
        const pae::Subspace g = pae::gramSchmidtBasis(w);
        QVERIFY(orthonormalityError(g.basis) < 1e-5);
        QVERIFY(g.basis[0].dot(w[0]).item<float>() > 1 - 1e-5); // b_0 ∥ v_0
        const torch::Tensor residual = w - w.matmul(g.basis.t()).matmul(g.basis);
        QVERIFY(residual.abs().max().item<float>() < 1e-5);
    }

    void shouldNameThePrompt_whenAVectorIsDependent()
    {
        const torch::Tensor v = torch::tensor({{1., 0., 0.}, {0., 1., 0.}, {1., 1., 0.}});
        const std::string named = errorOf([&] { pae::gramSchmidtBasis(v, {"happy", "sad", "happy-sad"}); });
        QVERIFY2(named.find("prompt 3 'happy-sad'") != std::string::npos, named.c_str());
        const std::string unnamed = errorOf([&] { pae::gramSchmidtBasis(v); });
        QVERIFY2(unnamed.find("row 2") != std::string::npos, unnamed.c_str());

        // Nearly dependent: a 1e-5 wobble is noise, not a direction.
        const torch::Tensor near = torch::tensor({{1., 0., 0.}, {0., 1., 0.}, {1., 1., 1e-5}});
        QVERIFY(errorOf([&] { pae::gramSchmidtBasis(near); }).find("row 2") != std::string::npos);
        const torch::Tensor fine = torch::tensor({{1., 0., 0.}, {0., 1., 0.}, {1., 1., 0.05}});
        QVERIFY(orthonormalityError(pae::gramSchmidtBasis(fine).basis) < 1e-6);

        QVERIFY(errorOf([&] { pae::gramSchmidtBasis(torch::zeros({1, 3})); }).find("is zero") != std::string::npos);
        QVERIFY(errorOf([&] { pae::gramSchmidtBasis(torch::randn({4, 3})); }) != pae::test::kNoError);
    }
};

QTEST_GUILESS_MAIN(TestSubspace)
#include "tst_subspace.moc"
