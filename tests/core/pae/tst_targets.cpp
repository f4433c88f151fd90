#include "core/pae/targets.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

namespace {

torch::Tensor vec(std::vector<double> values) { return torch::tensor(values, torch::kFloat64); }

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

double cosine(const torch::Tensor& a, const torch::Tensor& b)
{
    const torch::Tensor x = a.to(torch::kFloat64).flatten(), y = b.to(torch::kFloat64).flatten();
    return (x.dot(y) / (x.norm() * y.norm())).item<double>();
}

pae::Subspace subspaceOf(const torch::Tensor& basis, const std::string& corpus = "emotion")
{
    pae::Subspace s;
    s.basis = basis.to(torch::kFloat32);
    s.kind = pae::BasisKind::GramSchmidt;
    s.explainedVariance = 1;
    s.corpus = corpus;
    return s;
}

// The first two axes of R^d.
torch::Tensor axes12(int64_t d) { return torch::eye(d, torch::kFloat64).slice(0, 0, 2); }

// A random orthonormal basis [k, d].
torch::Tensor randomBasis(int64_t k, int64_t d)
{
    auto [q, r] = torch::linalg_qr(torch::randn({d, k}, torch::kFloat64));
    return q.t().contiguous();
}

// A random basis [k, d], a random unit image embedding and a unit text embedding with a
// clear part in the subspace.
struct RandomCase {
    torch::Tensor basis, i, t;
};
RandomCase randomCase(int64_t k, int64_t d)
{
    RandomCase c;
    c.basis = randomBasis(k, d);
    c.i = torch::nn::functional::normalize(torch::randn({d}, torch::kFloat64),
                                           torch::nn::functional::NormalizeFuncOptions().dim(0));
    c.t = torch::randn({d}, torch::kFloat64) + c.basis.sum(0);
    c.t = c.t / c.t.norm();
    return c;
}

} // namespace

class TestTargets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void shouldMatchHandComputedNumbers_whenBasisIsAxisAligned()
    {
        // B = {e1, e2}, i = (0.5, −0.5, 0.5, 0.5), t = (0.6, 0, 0.8, 0), both unit.
        // ⟨i,b⟩ = (0.5, −0.5); s = 0.6 + 0 = 0.6; ‖Bt‖ = 0.6.
        // λ = 2: c = (1, 1), Σc = 2, Σc/s = 10/3, λ·Σ⟨i,b_j⟩b_j = (1, −1, 0, 0)
        //   T = (0.5−1, −0.5+1, 0.5, 0.5) + 10/3·(0.6, 0, 0.8, 0) = (1.5, 0.5, 19/6, 0.5)
        // λ = 1: c = (0.5, 0.5), Σc = 1, Σc/s = 5/3
        //   T = (0, 0, 0.5, 0.5) + 5/3·(0.6, 0, 0.8, 0) = (1, 0, 11/6, 0.5)
        // λ = 0: T = i
        // i and t are passed scaled (×3, ×0.5): they are normalized first.
        const torch::Tensor i = 3 * vec({0.5, -0.5, 0.5, 0.5});
        const torch::Tensor t = 0.5 * vec({0.6, 0, 0.8, 0});
        const pae::PaeTargets r = pae::computeTargets(pae::TargetKind::PaePlus, i.to(torch::kFloat32),
                                                      t.to(torch::kFloat32), subspaceOf(axes12(4)), {2.f, 1.f, 0.f});
        const torch::Tensor expected =
            torch::stack({vec({1.5, 0.5, 19.0 / 6.0, 0.5}), vec({1, 0, 11.0 / 6.0, 0.5}), vec({0.5, -0.5, 0.5, 0.5})});
        QCOMPARE(r.targets.sizes().vec(), std::vector<int64_t>({3, 4}));
        QVERIFY(r.targets.dtype() == torch::kFloat32);
        QVERIFY2(maxAbsDiff(r.targets, expected) < 1e-5, qPrintable(QString::number(maxAbsDiff(r.targets, expected))));
        QVERIFY(std::abs(r.s - 0.6f) < 1e-6);
        QVERIFY(std::abs(r.subspaceNorm - 0.6f) < 1e-6);
    }

    void shouldEqualThePapersFormula_whenEveryCoefficientIsNonNegative()
    {
        // The paper: T = i − Σ_j c_j·b_j + (Σ_j c_j / Σ_j ⟨t, b_j⟩)·t, c_j = λ|⟨i, b_j⟩|,
        // written out here as its authors wrote it, on vectors with ⟨i,b_j⟩ ≥ 0 and ⟨t,b_j⟩ > 0.
        const int64_t d = 48, k = 6;
        torch::Tensor basis = randomBasis(k, d);
        const torch::Tensor i = torch::randn({d}, torch::kFloat64);
        torch::Tensor t = torch::randn({d}, torch::kFloat64);
        // Turn each axis so that i lies on its positive side, then move t's components in
        // the subspace to the positive side.
        basis = basis * torch::where(basis.matmul(i) < 0, -1.0, 1.0).unsqueeze(1);
        t = t - basis.t().matmul(basis.matmul(t)) + basis.t().matmul(basis.matmul(t).abs() + 0.1);
        QVERIFY((basis.matmul(i) >= 0).all().item<bool>() && (basis.matmul(t) > 0).all().item<bool>());
        for (double lambda : {0.5, 2.0, 8.0}) {
            const torch::Tensor c = lambda * basis.matmul(i).abs();
            const torch::Tensor paper = i - c.matmul(basis) + (c.sum() / basis.matmul(t).sum()) * t;
            const torch::Tensor ours = pae::targetFormula(pae::TargetKind::PaePlus, i, t, basis, lambda);
            QVERIFY2(maxAbsDiff(ours, paper) < 1e-10, qPrintable(QString::number(maxAbsDiff(ours, paper))));
        }
    }

    void shouldReplaceTheImagesSubspacePart_whenBasisIsOblique()
    {
        // b1 = (1,1,0,0)/√2, b2 = (0,0,1,−1)/√2; i = (0.5,0.5,0.5,−0.5) lies in span(B) with
        // ⟨i,b⟩ = (1/√2, 1/√2). λ = 1: c = (1/√2, 1/√2), Σ c_j b_j = ½(1,1,1,−1) = i, so the
        // image part vanishes. t = e1: s = 1/√2, Σc = √2, Σc/s = 2, T = (2, 0, 0, 0).
        const double r = 1 / std::sqrt(2.0);
        const torch::Tensor basis = torch::stack({vec({r, r, 0, 0}), vec({0, 0, r, -r})});
        const pae::PaeTargets out = pae::computeTargets(pae::TargetKind::PaePlus, vec({0.5, 0.5, 0.5, -0.5}),
                                                        vec({1, 0, 0, 0}), subspaceOf(basis), {1.f});
        QVERIFY(maxAbsDiff(out.targets[0], vec({2, 0, 0, 0})) < 1e-5);
        QVERIFY(std::abs(out.s - r) < 1e-6);
    }

    void shouldGiveTheBaselines_whenKindIsTextOrPae()
    {
        // text: T = n(t) = (0.6, 0, 0.8, 0) for every λ.
        // pae, λ = 2: T = (0.5, −0.5, 0.5, 0.5) + 2·(0.6, 0, 0.8, 0) = (1.7, −0.5, 2.1, 0.5).
        const torch::Tensor i = 2 * vec({0.5, -0.5, 0.5, 0.5});
        const torch::Tensor t = 5 * vec({0.6, 0, 0.8, 0});
        const auto text = pae::computeTargets(pae::TargetKind::Text, i, t, subspaceOf(axes12(4)), {2.f, 8.f});
        QVERIFY(maxAbsDiff(text.targets, torch::stack({vec({0.6, 0, 0.8, 0}), vec({0.6, 0, 0.8, 0})})) < 1e-6);
        const auto paeT = pae::computeTargets(pae::TargetKind::Pae, i, t, pae::Subspace{}, {2.f});
        QVERIFY(maxAbsDiff(paeT.targets[0], vec({1.7, -0.5, 2.1, 0.5})) < 1e-6);
        QCOMPARE(paeT.s, 0.f); // no basis given: nothing to report
    }

    void shouldSatisfyTheProjectionRelations_whenVectorsAreRandom()
    {
        const int64_t d = 64, k = 5;
        const auto [basis, i, t] = randomCase(k, d);
        const std::vector<float> lambdas = {0.5f, 3.f, 8.f};
        const auto out = pae::computeTargets(pae::TargetKind::PaePlus, i, t, subspaceOf(basis), lambdas);
        const torch::Tensor pi = basis.matmul(i);
        const double s = basis.matmul(t).abs().sum().item<double>();
        QVERIFY(std::abs(out.s - s) < 1e-6);
        const torch::Tensor outside = torch::eye(d, torch::kFloat64) - basis.t().matmul(basis);
        for (size_t l = 0; l < lambdas.size(); ++l) {
            const torch::Tensor T = out.targets[static_cast<int64_t>(l)].to(torch::kFloat64);
            const torch::Tensor c = lambdas[l] * pi.abs();
            const torch::Tensor text = (c.sum() / s) * t;
            const torch::Tensor rest = T - text;
            // In the subspace, i loses λ times its own projection ...
            QVERIFY(maxAbsDiff(basis.matmul(rest), (1 - lambdas[l]) * pi) < 1e-5);
            // ... outside it, i is untouched ...
            QVERIFY(maxAbsDiff(outside.matmul(rest), outside.matmul(i)) < 1e-5);
            // ... and the text term brings λ·Σ_j |⟨i, b_j⟩| back into the subspace, as Σ_j |⟨·, b_j⟩|.
            QVERIFY(std::abs(basis.matmul(text).abs().sum().item<double>() - c.sum().item<double>()) < 1e-4);
        }
    }

    // pae+corpus is pae+ with only the prompt's part in the subspace: outside the subspace
    // the target is the image itself, inside it is pae+'s.
    void shouldChangeOnlyTheSubspace_forPaePlusCorpus()
    {
        const int64_t d = 64, k = 5;
        const auto [basis, i, t] = randomCase(k, d);
        const std::vector<float> lambdas = {0.5f, 3.f, 8.f};
        const auto corpus = pae::computeTargets(pae::TargetKind::PaePlusCorpus, i, t, subspaceOf(basis), lambdas);
        const auto plus = pae::computeTargets(pae::TargetKind::PaePlus, i, t, subspaceOf(basis), lambdas);
        QCOMPARE(corpus.s, plus.s);
        const torch::Tensor outside = torch::eye(d, torch::kFloat64) - basis.t().matmul(basis);
        for (size_t l = 0; l < lambdas.size(); ++l) {
            const torch::Tensor T = corpus.targets[static_cast<int64_t>(l)].to(torch::kFloat64);
            const torch::Tensor P = plus.targets[static_cast<int64_t>(l)].to(torch::kFloat64);
            QVERIFY(maxAbsDiff(outside.matmul(T), outside.matmul(i)) < 1e-5);
            QVERIFY(maxAbsDiff(basis.matmul(T), basis.matmul(P)) < 1e-5);
        }
        // Its name round-trips, and a prompt with no part in the subspace is refused as for pae+.
        QVERIFY(pae::parseTargetKind("pae+corpus") == pae::TargetKind::PaePlusCorpus);
        QCOMPARE(pae::toString(pae::TargetKind::PaePlusCorpus), std::string("pae+corpus"));
        const torch::Tensor outsideOnly = outside.matmul(torch::randn({d}, torch::kFloat64));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::computeTargets(pae::TargetKind::PaePlusCorpus, i, outsideOnly,
                                                                 subspaceOf(basis), {8.f}, "a car"));
    }

    void shouldScaleWithI_whenTheScaleIsPositive()
    {
        // The true property: the pae+ formula is positively homogeneous in i,
        // T(α·i) = α·T(i) for α > 0 (c_j = λ|⟨αi, b_j⟩| = α·c_j), so cos(T(αi), T(i)) = 1
        // and, since the loss is a cosine, the scale of i does not matter. It is not
        // homogeneous for α < 0 (|·| does not commute with a sign flip), and the pae
        // target i + λt is not homogeneous at all, which is why computeTargets normalizes i.
        const int64_t d = 32;
        const torch::Tensor basis = randomBasis(4, d);
        const torch::Tensor i = torch::randn({d}, torch::kFloat64);
        const torch::Tensor t = torch::randn({d}, torch::kFloat64) + basis.sum(0);
        const double lambda = 5;
        const torch::Tensor T = pae::targetFormula(pae::TargetKind::PaePlus, i, t, basis, lambda);
        for (double alpha : {0.25, 3.0, 40.0}) {
            const torch::Tensor Ta = pae::targetFormula(pae::TargetKind::PaePlus, alpha * i, t, basis, lambda);
            QVERIFY(maxAbsDiff(Ta, alpha * T) < 1e-9 * alpha * T.abs().max().item<double>() + 1e-12);
            QVERIFY(std::abs(cosine(Ta, T) - 1) < 1e-12);
        }
        // Any positive scale of t cancels between Σc/s and t; −t is another prompt.
        for (double beta : {0.1, 7.0})
            QVERIFY(maxAbsDiff(pae::targetFormula(pae::TargetKind::PaePlus, i, beta * t, basis, lambda), T) < 1e-9);
        QVERIFY(cosine(pae::targetFormula(pae::TargetKind::PaePlus, i, -t, basis, lambda), -t) > 0);
        const torch::Tensor Tneg = pae::targetFormula(pae::TargetKind::PaePlus, -i, t, basis, lambda);
        QVERIFY(maxAbsDiff(Tneg, -T) > 0.1);
        const torch::Tensor P = pae::targetFormula(pae::TargetKind::Pae, i, t, basis, lambda);
        QVERIFY(cosine(pae::targetFormula(pae::TargetKind::Pae, 3 * i, t, basis, lambda), P) < 0.999);

        // computeTargets works on n(i), n(t): every kind ignores positive scales.
        for (auto kind :
             {pae::TargetKind::Text, pae::TargetKind::Pae, pae::TargetKind::PaePlus, pae::TargetKind::PaePlusCorpus}) {
            const auto a = pae::computeTargets(kind, i, t, subspaceOf(basis), {2.f, 8.f});
            const auto b = pae::computeTargets(kind, 7 * i, 0.2 * t, subspaceOf(basis), {2.f, 8.f});
            QVERIFY(maxAbsDiff(a.targets, b.targets) < 1e-5);
        }
    }

    void shouldNameThePromptAndCorpus_whenSIsTiny_data()
    {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("y");
        // t orthogonal to span(e1, e2): no component at all.
        QTest::newRow("orthogonal") << 0.0 << 0.0;
        // below the threshold: s = 4e-4
        QTest::newRow("tiny") << 0.0002 << 0.0002;
    }
    void shouldNameThePromptAndCorpus_whenSIsTiny()
    {
        QFETCH(double, x);
        QFETCH(double, y);
        const double z = std::sqrt(1 - x * x - y * y);
        const torch::Tensor t = vec({x, y, z, 0});
        const torch::Tensor i = vec({0.5, -0.5, 0.5, 0.5});
        const pae::Subspace sub = subspaceOf(axes12(4), "hairstyle");
        try {
            pae::computeTargets(pae::TargetKind::PaePlus, i, t, sub, {8.f}, "a happy face");
            QFAIL("no error for s ≈ 0");
        } catch (const pae::Error& e) {
            const QString m = e.what();
            QVERIFY2(m.contains("the prompt 'a happy face' has (almost) no component in the corpus 'hairstyle'"),
                     e.what());
            QVERIFY2(m.contains("s = ") && m.contains("pick a corpus that this prompt belongs to"), e.what());
        }
        // The kinds that do not divide by s still work.
        QVERIFY(pae::computeTargets(pae::TargetKind::Pae, i, t, sub, {8.f}).targets.isfinite().all().item<bool>());
        QVERIFY(pae::computeTargets(pae::TargetKind::Text, i, t, sub, {8.f}).targets.isfinite().all().item<bool>());
        const pae::PromptFit fit = pae::analyzePromptFit(t, sub, "a happy face");
        QVERIFY(!fit.usable);
        QVERIFY2(QString::fromStdString(fit.warning).contains("pick a corpus"), fit.warning.c_str());
        QVERIFY(pae::analyzePromptFit(t, sub, "a happy face", pae::TargetKind::Pae).usable);
    }

    void shouldAcceptS_whenJustAboveTheThreshold()
    {
        // s = 0.002 > 1e-3: allowed, and the text weight Σc/s is large but finite.
        const torch::Tensor t = vec({0.001, 0.001, std::sqrt(1 - 2e-6), 0});
        const auto out =
            pae::computeTargets(pae::TargetKind::PaePlus, vec({0.5, -0.5, 0.5, 0.5}), t, subspaceOf(axes12(4)), {1.f});
        QVERIFY(out.targets.isfinite().all().item<bool>());
        QVERIFY(std::abs(out.s - 0.002f) < 1e-6);
    }

    void shouldMoveTowardsThePrompt_whateverTheSignsOfTheAxes()
    {
        // d = 16, B = {e1, e2}, i = (½,½,½,½,0…), λ = 8: c = (4, 4), Σc = 8,
        // λ·Σ⟨i,b_j⟩b_j = (4, 4, 0, 0…).
        //   t = (0.6, 0, 0.8, 0…):  s = 0.6, T = (−3.5,−3.5,½,½) + 13.3·t = (4.5, −3.5, 67/6, ½)
        //   t = (−0.6, 0, 0.8, 0…): the paper's s would be −0.6 and T would point away from t;
        //   here s = 0.6 and T = (−3.5,−3.5,½,½) + 13.3·t = (−11.5, −3.5, 67/6, ½), facing t.
        const int64_t d = 16;
        torch::Tensor i = torch::zeros({d}, torch::kFloat64);
        i.slice(0, 0, 4).fill_(0.5);
        torch::Tensor tPos = torch::zeros({d}, torch::kFloat64), tNeg = torch::zeros({d}, torch::kFloat64);
        tPos[0] = 0.6, tPos[2] = 0.8, tNeg[0] = -0.6, tNeg[2] = 0.8;
        const pae::Subspace sub = subspaceOf(axes12(d));
        const auto pos = pae::computeTargets(pae::TargetKind::PaePlus, i, tPos, sub, {8.f});
        const auto neg = pae::computeTargets(pae::TargetKind::PaePlus, i, tNeg, sub, {8.f});
        QVERIFY2(cosine(pos.targets[0], tPos) > 0.9, qPrintable(QString::number(cosine(pos.targets[0], tPos))));
        QVERIFY2(cosine(neg.targets[0], tNeg) > 0.9, qPrintable(QString::number(cosine(neg.targets[0], tNeg))));
        QVERIFY(std::abs(neg.s - 0.6f) < 1e-6);
        torch::Tensor expectedPos = torch::zeros({d}, torch::kFloat64),
                      expectedNeg = torch::zeros({d}, torch::kFloat64);
        expectedPos[0] = 4.5, expectedPos[1] = -3.5, expectedPos[2] = 67.0 / 6.0, expectedPos[3] = 0.5;
        expectedNeg[0] = -11.5, expectedNeg[1] = -3.5, expectedNeg[2] = 67.0 / 6.0, expectedNeg[3] = 0.5;
        QVERIFY2(maxAbsDiff(pos.targets[0], expectedPos) < 1e-5,
                 qPrintable(QString::number(maxAbsDiff(pos.targets[0], expectedPos))));
        QVERIFY2(maxAbsDiff(neg.targets[0], expectedNeg) < 1e-5,
                 qPrintable(QString::number(maxAbsDiff(neg.targets[0], expectedNeg))));

        // Flipping any axis changes nothing, for random vectors too.
        for (int flip = 1; flip < 4; ++flip) {
            torch::Tensor flipped = axes12(d).clone();
            if (flip & 1)
                flipped[0] = -flipped[0];
            if (flip & 2)
                flipped[1] = -flipped[1];
            const auto again = pae::computeTargets(pae::TargetKind::PaePlus, i, tPos, subspaceOf(flipped), {8.f});
            QVERIFY(maxAbsDiff(again.targets, pos.targets) < 1e-6);
        }
        const torch::Tensor basis = randomBasis(6, d);
        const torch::Tensor ri = torch::randn({d}, torch::kFloat64), rt = torch::randn({d}, torch::kFloat64);
        const torch::Tensor signs = torch::tensor({1.0, -1.0, -1.0, 1.0, -1.0, 1.0}, torch::kFloat64).unsqueeze(1);
        QVERIFY(maxAbsDiff(pae::targetFormula(pae::TargetKind::PaePlus, ri, rt, basis, 5.0),
                           pae::targetFormula(pae::TargetKind::PaePlus, ri, rt, basis * signs, 5.0)) < 1e-10);

        // Image and prompt on opposite sides of an axis (black hair, "blonde hair"): on that
        // axis the target lies on the prompt's side. B = {e1, e2}, i = (−0.6, 0, 0.8, 0),
        // t = (0.6, 0, 0.8, 0), λ = 2: c = (1.2, 0), s = 0.6, T = i − 2·(−0.6, 0, 0, 0) + 2·t
        // = (1.8, 0, 2.4, 0). (With the axes turned to face t, T was (−0.6, 0, 2.4, 0): no move at all.)
        const auto opp = pae::computeTargets(pae::TargetKind::PaePlus, vec({-0.6, 0, 0.8, 0}), vec({0.6, 0, 0.8, 0}),
                                             subspaceOf(axes12(4)), {2.f});
        QVERIFY2(maxAbsDiff(opp.targets[0], vec({1.8, 0, 2.4, 0})) < 1e-5,
                 qPrintable(QString::number(opp.targets[0][0].item<double>())));

        // Axes whose paper-signed terms cancel do not look like "no component".
        const torch::Tensor cancelling = vec({0.3535, -0.3535, std::sqrt(1 - 2 * 0.3535 * 0.3535), 0});
        const auto ok = pae::computeTargets(pae::TargetKind::PaePlus, vec({0.5, -0.5, 0.5, 0.5}), cancelling,
                                            subspaceOf(axes12(4)), {8.f});
        QVERIFY(std::abs(ok.s - 0.707f) < 1e-3);

        const pae::PromptFit good = pae::analyzePromptFit(tPos, sub, "a happy face");
        QVERIFY(good.usable);
        QVERIFY2(good.warning.empty(), good.warning.c_str());
        QVERIFY(std::abs(good.s - 0.6) < 1e-9 && std::abs(good.subspaceNorm - 0.6) < 1e-9);
        QVERIFY(std::abs(good.randomNorm - std::sqrt(2.0 / 16.0)) < 1e-12);
        const pae::PromptFit turned = pae::analyzePromptFit(tNeg, sub, "a happy face");
        QVERIFY(turned.usable);
        QVERIFY2(turned.warning.empty(), turned.warning.c_str());
        QVERIFY(std::abs(turned.s - 0.6) < 1e-9);
    }

    void shouldWarn_whenThePromptBarelyLiesInTheSubspace()
    {
        // ‖Bt‖ = 0.1 < sqrt(2/16) ≈ 0.35, s = 0.1 is large enough to divide by.
        const int64_t d = 16;
        torch::Tensor t = torch::zeros({d}, torch::kFloat64);
        t[0] = 0.1, t[5] = std::sqrt(1 - 0.01);
        const pae::PromptFit fit = pae::analyzePromptFit(t, subspaceOf(axes12(d), "eyes"), "a bald head");
        QVERIFY(fit.usable);
        QVERIFY2(QString::fromStdString(fit.warning)
                     .contains("the prompt 'a bald head' lies in the corpus 'eyes' no more than a random direction"),
                 fit.warning.c_str());
    }

    void shouldRefuseBadInput_withAMessage()
    {
        const pae::Subspace sub = subspaceOf(axes12(4));
        const torch::Tensor i = vec({0.5, -0.5, 0.5, 0.5}), t = vec({0.6, 0, 0.8, 0});
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::computeTargets(pae::TargetKind::PaePlus, i, t, sub, {}));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::computeTargets(pae::TargetKind::PaePlus, i, t, sub, {NAN}));
        QVERIFY_THROWS_EXCEPTION(pae::Error,
                                 pae::computeTargets(pae::TargetKind::PaePlus, torch::zeros({4}), t, sub, {1.f}));
        QVERIFY_THROWS_EXCEPTION(pae::Error,
                                 pae::computeTargets(pae::TargetKind::PaePlus, vec({1, 0, 0}), t, sub, {1.f}));
        QVERIFY_THROWS_EXCEPTION(pae::Error,
                                 pae::computeTargets(pae::TargetKind::PaePlus, i, t, pae::Subspace{}, {1.f}));
        QVERIFY_THROWS_EXCEPTION(pae::Error,
                                 pae::computeTargets(pae::TargetKind::PaePlus, i, t, subspaceOf(axes12(8)), {1.f}));
        // [1, d] rows are accepted as vectors.
        QVERIFY(
            pae::computeTargets(pae::TargetKind::PaePlus, i.unsqueeze(0), t.unsqueeze(0), sub, {1.f}).targets.size(0) ==
            1);
    }
};

QTEST_GUILESS_MAIN(TestTargets)
#include "tst_targets.moc"
