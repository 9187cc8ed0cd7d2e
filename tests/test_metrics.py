"""stylegan_edu.metrics: the Fréchet distance against scipy, FID properties on
real MNIST, the classifier score against scipy's KL divergence, PSNR and SSIM
against skimage.metrics."""

import numpy as np
import pytest
import scipy.linalg
import scipy.stats

from stylegan_edu import metrics
from stylegan_edu.data import to_unit_range


def _scipy_frechet(mu1, s1, mu2, s2):
    """The textbook formula with scipy's general matrix square root (an independent reference)."""
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    covmean = covmean.real  # scipy may return tiny imaginary parts
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def _random_gaussian(rng, d, n):
    a = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d)
    return a.mean(axis=0), np.cov(a, rowvar=False).reshape(d, d)


@pytest.mark.parametrize("d", [1, 3, 16, 64])
def test_frechet_distance_matches_scipy_sqrtm(d):
    rng = np.random.default_rng(d)
    mu1, s1 = _random_gaussian(rng, d, 500)
    mu2, s2 = _random_gaussian(rng, d, 300)
    assert metrics.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(_scipy_frechet(mu1, s1, mu2, s2), rel=1e-6, abs=1e-8)


def test_frechet_distance_closed_forms():
    # 1-D: (mu1 - mu2)^2 + (sd1 - sd2)^2
    assert metrics.frechet_distance([1.0], [[4.0]], [-2.0], [[9.0]]) == pytest.approx(9.0 + 1.0)
    # diagonal covariances: ||mu1 - mu2||^2 + sum (sqrt(a) - sqrt(b))^2
    a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    want = 3.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert metrics.frechet_distance(np.ones(3), np.diag(a), np.zeros(3), np.diag(b)) == pytest.approx(want)


def test_frechet_distance_identical_symmetric_nonnegative():
    rng = np.random.default_rng(0)
    mu1, s1 = _random_gaussian(rng, 8, 100)
    mu2, s2 = _random_gaussian(rng, 8, 100)
    assert metrics.frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-8)
    d12, d21 = metrics.frechet_distance(mu1, s1, mu2, s2), metrics.frechet_distance(mu2, s2, mu1, s1)
    assert d12 > 0 and d12 == pytest.approx(d21, rel=1e-9)
    # rank-deficient covariances (fewer samples than dimensions): still real and >= 0
    f = rng.normal(size=(5, 20))
    mu, s = metrics.feature_statistics(f)
    assert metrics.frechet_distance(mu, s, mu, s) >= 0.0
    assert metrics.frechet_distance(mu, s, np.zeros(20), np.eye(20)) > 0


def test_frechet_distance_is_invariant_to_rotation():
    rng = np.random.default_rng(1)
    mu1, s1 = _random_gaussian(rng, 6, 200)
    mu2, s2 = _random_gaussian(rng, 6, 200)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    rotated = metrics.frechet_distance(q @ mu1, q @ s1 @ q.T, q @ mu2, q @ s2 @ q.T)
    assert rotated == pytest.approx(metrics.frechet_distance(mu1, s1, mu2, s2), rel=1e-8)


def test_feature_statistics_matches_numpy():
    f = np.random.default_rng(0).normal(size=(50, 7))
    mu, sigma = metrics.feature_statistics(f)
    np.testing.assert_allclose(mu, f.mean(axis=0))
    np.testing.assert_allclose(sigma, np.cov(f, rowvar=False))


@pytest.mark.parametrize(
    "args,message",
    [
        ((np.zeros(3), np.eye(3), np.zeros(4), np.eye(4)), "Invalid value for argument `mu2`. Expected the same shape as `mu1`"),
        ((np.zeros(3), np.eye(4), np.zeros(3), np.eye(3)), "Invalid value for argument `sigma1`. Expected a square matrix of shape (3, 3)"),
        ((np.zeros(2), np.eye(2), np.zeros(2), [[1.0, 0.5], [0.0, 1.0]]), "Expected a symmetric covariance matrix"),
        ((np.zeros(2), np.eye(2), [np.nan, 0.0], np.eye(2)), "Invalid value for argument `mu2`. Expected finite values"),
        ((np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2)), "Invalid value for argument `mu1`. Expected an array of rank 1"),
    ],
)
def test_frechet_distance_rejects_bad_input(args, message):
    with pytest.raises(ValueError) as err:
        metrics.frechet_distance(*args)
    assert message in str(err.value)


def test_feature_statistics_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 2 rows"):
        metrics.feature_statistics(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="rank 2"):
        metrics.feature_statistics(np.zeros(4))


def test_classifier_score_formula_against_scipy():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.full(10, 0.3), size=40)  # (40, 10)
    marginal = p.mean(axis=0)
    want = np.exp(np.mean([scipy.stats.entropy(row, marginal) for row in p]))  # KL(p(y|x) || p(y))
    mean, std = metrics.classifier_score_from_probabilities(p)
    assert mean == pytest.approx(want, rel=1e-9) and std == 0.0
    halves = [np.exp(np.mean([scipy.stats.entropy(r, part.mean(axis=0)) for r in part])) for part in (p[:20], p[20:])]
    assert metrics.classifier_score_from_probabilities(p, splits=2) == pytest.approx((np.mean(halves), np.std(halves)))
    assert 1.0 <= mean <= 10.0


def test_classifier_score_rejects_logits_and_too_many_splits():
    with pytest.raises(ValueError, match="apply a softmax"):
        metrics.classifier_score_from_probabilities(np.random.default_rng(0).normal(size=(4, 10)))
    with pytest.raises(ValueError, match="Invalid value for argument `splits`"):
        metrics.classifier_score_from_probabilities(np.eye(3), splits=4)


def _literal_mmd2(x, y):
    """The unbiased squared MMD with KID's cubic kernel, written out pair by pair."""
    d, m = x.shape[1], len(x)
    k = lambda u, v: (u @ v / d + 1.0) ** 3  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    return xx + yy - 2 * sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / m**2


def test_kernel_distance_matches_the_literal_u_statistic():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(30, 4)), rng.normal(0.5, 1.0, size=(25, 4))
    draws = np.random.default_rng(5)  # the same subset draws as kernel_distance(seed=5)
    want = np.mean([_literal_mmd2(a[draws.choice(30, 10, replace=False)], b[draws.choice(25, 10, replace=False)])
                    for _ in range(3)])
    assert metrics.kernel_distance(a, b, subset_size=10, num_subsets=3, seed=5) == pytest.approx(want, rel=1e-10)


def test_kernel_distance_is_unbiased_against_the_closed_form():
    """1-D Gaussians N(0, 1) and N(mu, 1): with the feature map (1, sqrt(3) x, sqrt(3) x^2, x^3) of
    k(x, y) = (xy + 1)^3, MMD^2 = 3 mu^2 + 3 mu^4 + (mu^3 + 3 mu)^2; the same distribution gives 0."""
    rng = np.random.default_rng(0)
    x, y, z = rng.normal(size=(20_000, 1)), rng.normal(0.5, 1.0, size=(20_000, 1)), rng.normal(size=(20_000, 1))
    mu = 0.5
    assert metrics.kernel_distance(x, y, num_subsets=50) == pytest.approx(3 * mu**2 + 3 * mu**4 + (mu**3 + 3 * mu) ** 2, rel=0.05)
    assert abs(metrics.kernel_distance(x, z, num_subsets=50)) < 0.05
    assert metrics.kernel_distance(x, y, num_subsets=5, seed=1) == metrics.kernel_distance(x, y, num_subsets=5, seed=1)


def test_kernel_distance_rejects_bad_input():
    with pytest.raises(ValueError, match="Invalid value for argument `features_b`. Expected feature vectors of length 4"):
        metrics.kernel_distance(np.zeros((5, 4)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="Invalid value for argument `features_a`. Expected at least 2 feature vectors"):
        metrics.kernel_distance(np.zeros((1, 4)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="Invalid value for argument `subset_size`"):
        metrics.kernel_distance(np.zeros((5, 4)), np.zeros((5, 4)), subset_size=1)
    with pytest.raises(ValueError, match="Expected finite values"):
        metrics.kernel_distance(np.full((5, 4), np.nan), np.zeros((5, 4)))


# ---------------------------------------------------------------------------
# On real MNIST, with the shipped feature net and reference statistics
# ---------------------------------------------------------------------------


N_REAL = 4000  # a random subset of the 10,000 test digits keeps these tests fast


@pytest.fixture(scope="module")
def subset(mnist_test):
    idx = np.random.default_rng(0).permutation(len(mnist_test[0]))[:N_REAL]
    return to_unit_range(mnist_test[0][idx])[..., None], mnist_test[1][idx]  # (N_REAL, 28, 28, 1) in [-1, 1], (N_REAL,)


@pytest.fixture(scope="module")
def digits(subset):
    return subset[0]


@pytest.fixture(scope="module")
def digit_features(digits):
    from stylegan_edu.features import mnist_features

    return np.asarray(mnist_features(digits), dtype=np.float64)  # (N_REAL, 128)


def test_reference_statistics_are_current(digit_features):
    """The shipped statistics are the held-out digits' features under the shipped feature net (not a stale one)."""
    from stylegan_edu import pretrained
    from stylegan_edu.data import mnist_gan_split
    from stylegan_edu.features import mnist_features

    mu, sigma, info = metrics.reference_statistics("mnist")
    weights = pretrained.asset_path("mnist_feature_net/mnist_feature_net.weights.h5")
    assert info["feature_net_sha256"] == pretrained.sha256(weights), "rerun scripts/compute_fid_stats.py"
    assert mu.shape == (digit_features.shape[1],) and sigma.shape == (mu.size, mu.size)
    assert info["n"] == 2000 and "held-out" in info["source"] and info["features"].shape == (2000, mu.size)
    np.testing.assert_allclose(sigma, sigma.T)
    assert np.linalg.eigvalsh(sigma).min() > -1e-8  # a covariance: positive semi-definite
    _, heldout, _ = mnist_gan_split()
    f = np.asarray(mnist_features(to_unit_range(heldout)[..., None]), np.float64)  # (2000, 128), recomputed here
    np.testing.assert_allclose(mu, f.mean(axis=0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(sigma, np.cov(f, rowvar=False), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(info["features"], f, rtol=2e-3, atol=2e-3)  # stored as float16


def test_held_out_digits_are_disjoint_from_the_training_digits():
    from stylegan_edu.data import load_mnist, mnist_gan_split

    train, heldout, source = mnist_gan_split()
    test, _ = load_mnist("test")
    assert (len(train), len(heldout)) == (8000, 2000) and "held out" in source
    np.testing.assert_array_equal(heldout, test[4::5])  # image i when i % 5 == 4
    train_keys = {t.tobytes() for t in train}
    assert not any(h.tobytes() in train_keys for h in heldout)  # not one held-out digit is among the training digits


def test_kid_of_real_digits_is_zero_within_its_standard_error():
    """Real training digits against the held-out reference: KID ~ 0 (unbiased), noise far above."""
    from stylegan_edu.data import mnist_gan_split

    train, _, _ = mnist_gan_split()
    real = to_unit_range(train[np.random.default_rng(1).choice(len(train), 2000, replace=False)])[..., None]
    from stylegan_edu.features import mnist_features

    f = np.asarray(mnist_features(real), np.float64)
    _, _, info = metrics.reference_statistics("mnist")
    estimates = [metrics.kernel_distance(f, info["features"], subset_size=1000, num_subsets=1, seed=s) for s in range(20)]
    mean, se = np.mean(estimates), np.std(estimates) / np.sqrt(len(estimates))
    assert abs(mean) < 3 * se + 0.01, (mean, se)
    noise = np.random.default_rng(0).uniform(-1, 1, (1000, 28, 28, 1)).astype("float32")
    assert metrics.kid(noise, dataset="mnist", num_subsets=5) > 100 * max(abs(mean), se)


def test_sample_quality_legible_rate_counts_confident_predictions():
    from stylegan_edu.data import mnist_gan_split

    _, heldout, _ = mnist_gan_split()
    real = to_unit_range(heldout)[..., None]
    _, confidence = metrics.predicted_classes(real, "mnist")
    q = metrics.sample_quality(real, dataset="mnist", legible_threshold=0.9)
    assert q["legible_rate"] == pytest.approx(np.mean(confidence >= 0.9))
    assert 0.9 < q["legible_rate"] < 1.0 and q["fid"] < 1e-6 and abs(q["kid"]) < 0.1  # the reference itself (KID: subset noise)
    assert metrics.sample_quality(real[:200], dataset="mnist", legible_threshold=1.0)["legible_rate"] <= q["legible_rate"]
    with pytest.raises(ValueError, match="legible_threshold"):
        metrics.sample_quality(real[:10], dataset="mnist", legible_threshold=0.0)


def test_fid_real_halves_small_noise_large(digits, digit_features):
    order = np.random.default_rng(0).permutation(len(digit_features))  # random halves of the test set
    half = len(order) // 2
    a, b = metrics.feature_statistics(digit_features[order[:half]]), metrics.feature_statistics(digit_features[order[half:]])
    fid_halves = metrics.frechet_distance(*a, *b)
    fid_same = metrics.frechet_distance(*a, *a)
    noise = np.random.default_rng(0).uniform(-1, 1, size=(2000, 28, 28, 1)).astype("float32")
    fid_noise = metrics.mnist_fid(noise)
    assert fid_same == pytest.approx(0.0, abs=1e-6)
    assert 0 < fid_halves < fid_noise / 100, (fid_halves, fid_noise)
    # a real subset against the shipped reference: as small as real-vs-real
    fid_real = metrics.mnist_fid(digits[:2000])
    assert 0 < fid_real < fid_noise / 100, (fid_real, fid_noise)
    # symmetric with the same sample sizes
    assert metrics.frechet_distance(*b, *a) == pytest.approx(fid_halves, rel=1e-5)
    live = (np.diag(a[1]) > 1e-6) & (np.diag(b[1]) > 1e-6)  # scipy's sqrtm needs non-singular covariances
    a_live, b_live = (a[0][live], a[1][np.ix_(live, live)]), (b[0][live], b[1][np.ix_(live, live)])
    assert metrics.frechet_distance(*a_live, *b_live) == pytest.approx(_scipy_frechet(*a_live, *b_live), rel=1e-5)


def test_fid_sees_missing_classes(subset, digits):
    """Only four classes of real digits: worse than all ten (mode collapse shows up)."""
    labels = subset[1]
    few = digits[np.isin(labels, [0, 1, 2, 3])][:2000]
    assert metrics.mnist_fid(few) > 3 * metrics.mnist_fid(digits[:2000])


def test_classifier_score_on_digits(subset, digits):
    real, _ = metrics.classifier_score(digits[:2000])
    ones, _ = metrics.classifier_score(digits[subset[1] == 1][:400])
    assert 9.0 < real <= 10.0  # confident and spread over ten classes
    assert 1.0 <= ones < 1.5  # one class only


@pytest.mark.parametrize(
    "images,message",
    [
        (np.zeros((4, 28, 28, 1), np.uint8) + 255, "Expected pixel values in [-1, 1]"),
        (np.zeros((4, 32, 32, 1), np.float32), "Expected MNIST-shaped images of shape (N, 28, 28, 1)"),
        (np.zeros((4, 28, 28, 3), np.float32), "Received: shape (4, 28, 28, 3)"),
        (np.zeros((1, 28, 28, 1), np.float32), "at least 2 images"),
        (np.full((3, 28, 28, 1), np.nan, np.float32), "Expected finite values"),
    ],
)
def test_mnist_fid_and_classifier_score_validate_images(images, message):
    for fn in (metrics.mnist_fid, metrics.classifier_score):
        with pytest.raises(ValueError) as err:
            fn(images)
        assert "Invalid value for argument `images`" in str(err.value) and message in str(err.value)


def test_unknown_reference_lists_choices():
    with pytest.raises(ValueError, match="Expected one of 'mnist'"):
        metrics.mnist_fid(np.zeros((2, 28, 28, 1), np.float32), reference="cifar10")


# ---------------------------------------------------------------------------
# PSNR and SSIM against skimage.metrics
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["uint8", "float", "signed", "rgb"])
def test_psnr_and_ssim_match_skimage(kind):
    import skimage.data
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    rng = np.random.default_rng(1)
    a = skimage.data.astronaut()[::8, ::8] if kind == "rgb" else skimage.data.camera()[::8, ::8]
    b = np.clip(a.astype(int) + rng.integers(-30, 30, a.shape), 0, 255).astype(np.uint8)
    extra = {"channel_axis": -1} if kind == "rgb" else {}
    r = {"float": 1.0, "signed": 2.0}.get(kind, 255)
    if kind == "float":
        a, b = a / 255.0, b / 255.0
    if kind == "signed":
        a, b = a / 127.5 - 1, b / 127.5 - 1
    assert metrics.psnr(a, b, data_range=r) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=r), rel=1e-12)
    assert metrics.psnr(a, b) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=r), rel=1e-12)  # inferred R
    assert metrics.ssim(a, b) == pytest.approx(structural_similarity(a, b, data_range=r, **extra), abs=1e-10)
    assert metrics.ssim(a, b, win_size=3) == pytest.approx(structural_similarity(a, b, data_range=r, win_size=3, **extra), abs=1e-10)


def test_psnr_and_ssim_edge_cases():
    import warnings

    x = np.random.default_rng(0).uniform(size=(16, 16))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no divide-by-zero warning
        assert metrics.psnr(x, x, data_range=1.0) == float("inf")
    assert metrics.ssim(x, x, data_range=1.0) == pytest.approx(1.0)
    for call, message in [
        (lambda: metrics.ssim(x, x[:8]), r"`b`. Expected the same shape as `a`, \(16, 16\)"),
        (lambda: metrics.psnr(x, x, data_range=0), r"`data_range`. Expected a positive number"),
        (lambda: metrics.psnr(x.astype(np.int32), x.astype(np.int32)), r"cannot be inferred for dtype int32"),
        (lambda: metrics.ssim(x[:5, :5], x[:5, :5], data_range=1.0), r"at least 7 x 7"),
        (lambda: metrics.ssim(x, x, win_size=4), r"`win_size`. Expected an odd integer"),
        (lambda: metrics.psnr(np.full((4, 4), np.nan), x[:4, :4]), r"`a`. Expected finite values"),
    ]:
        with pytest.raises(ValueError, match=message):
            call()
