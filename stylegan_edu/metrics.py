r"""Quality metrics for generated images: the Fréchet distance (FID), the
kernel distance (KID) and a classifier score, computed on a small feature net
per data set; PSNR and SSIM for image-to-image models.

The Fréchet Inception Distance of Heusel et al. (2017) compares two sets of
images through the Gaussian statistics (mean, covariance) of their features in
a pretrained network; the Kernel Inception Distance of Bińkowski et al. (2018)
through an unbiased estimate of the squared MMD of those features under a cubic
polynomial kernel. On 28 x 28 grey images, Inception v3 makes little sense, so
this package uses the penultimate layer of its own small classifier for each
data set (``dataset="mnist"``: :func:`stylegan_edu.pretrained.mnist_feature_net`;
``dataset="fashion_mnist"``: :func:`stylegan_edu.pretrained.fashion_mnist_feature_net`).
The numbers are comparable with each other (same data set, same number of
images), not with published Inception FIDs.

:func:`fid` and :func:`kid` serve both data sets (:func:`mnist_fid` is
``fid(images, "mnist")``). Chapters 8 and 9 and ``benchmarks/time_to_quality.py``
use the MNIST-FID; chapters 12 and 13 the Fashion-MNIST FID and KID.
"""

import warnings

import numpy as np

from stylegan_edu._batches import map_in_batches
from stylegan_edu._validation import (check_allocation, check_array, check_float_range, check_choice, check_covariance, check_finite,
                                      check_positive_int, invalid)
from stylegan_edu.pretrained import DATASETS  # the data sets with a shipped feature net and statistics

__all__ = [
    "feature_statistics",
    "frechet_distance",
    "reference_statistics",
    "fid",
    "kernel_distance",
    "kid",
    "mnist_fid",
    "predicted_classes",
    "sample_quality",
    "classifier_score",
    "classifier_score_from_probabilities",
    "psnr",
    "ssim",
]



def _as_float64(name, x, ndim):
    return check_array(name, x, ndim=ndim, min_size=0)  # real, finite, float64


def feature_statistics(features):
    r"""Mean and covariance of a set of feature vectors.

    Formula:
        :math:`\mu = \frac{1}{N}\sum_i f_i`, and the unbiased covariance
        :math:`\Sigma = \frac{1}{N-1}\sum_i (f_i - \mu)(f_i - \mu)^\top`
        (as ``numpy.cov`` and the reference FID code compute it).

    Args:
        features: array of shape (N, D), one row per image, N >= 2.

    Returns:
        tuple: ``(mu, sigma)``, float64 arrays of shapes (D,) and (D, D).

    Example:

    >>> mu, sigma = feature_statistics([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0]])
    >>> mu.tolist(), sigma.tolist()
    ([2.0, 1.0], [[4.0, 0.0], [0.0, 0.0]])
    """
    f = _as_float64("features", features, ndim=2)  # (N, D)
    if f.shape[0] < 2:
        raise invalid("features", "at least 2 rows (feature vectors) to estimate a covariance", f"shape {f.shape}")
    if f.shape[1] < 1:
        raise invalid("features", "feature vectors of length at least 1", f"shape {f.shape}")
    check_allocation("features", (f.shape[1], f.shape[1]), 8, received=f"shape {f.shape} (a {f.shape[1]} x {f.shape[1]} covariance)")
    mu = f.mean(axis=0)  # (D,)
    centred = f - mu  # (N, D)
    sigma = centred.T @ centred / (f.shape[0] - 1)  # (D, D)
    return mu, sigma


def _check_covariance(name, sigma, dim):
    return check_covariance(name, sigma, dim)  # square, finite, symmetric, positive semi-definite


def _psd_sqrt(sigma):
    """Symmetric square root of a symmetric positive semi-definite matrix."""
    w, v = np.linalg.eigh(sigma)  # (D,), (D, D)
    w = np.clip(w, 0.0, None)  # round-off can make zero eigenvalues slightly negative
    return (v * np.sqrt(w)) @ v.T


def frechet_distance(mu1, sigma1, mu2, sigma2):
    r"""Fréchet (2-Wasserstein) distance between two Gaussians.

    Formula:
        :math:`d^2 = \lVert \mu_1 - \mu_2 \rVert^2 +
        \operatorname{Tr}\big(\Sigma_1 + \Sigma_2 - 2 (\Sigma_1 \Sigma_2)^{1/2}\big)`.

    :math:`\Sigma_1\Sigma_2` is not symmetric, and the usual
    ``scipy.linalg.sqrtm`` of it can return tiny imaginary parts. This
    function uses the identity
    :math:`\operatorname{Tr}(\Sigma_1\Sigma_2)^{1/2} =
    \operatorname{Tr}(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}`,
    whose argument is symmetric positive semi-definite, so two
    eigen-decompositions give a real answer with no imaginary parts to drop.
    Rounding can push an exact 0 slightly below zero; the result is clipped
    at 0 (a squared distance is never negative).

    Args:
        mu1: mean of the first Gaussian, shape (D,).
        sigma1: its covariance, shape (D, D), symmetric positive semi-definite
            (checked: an invalid matrix such as ``-I`` raises rather than
            giving a plausible distance).
        mu2: mean of the second Gaussian, shape (D,).
        sigma2: its covariance, shape (D, D).

    Returns:
        float: the squared Fréchet distance (what FID reports), >= 0.

    Example:

    >>> import numpy as np
    >>> # 1-D: (mu1 - mu2)^2 + (s1 - s2)^2 with standard deviations s1 = 1, s2 = 2
    >>> round(frechet_distance([0.0], [[1.0]], [3.0], [[4.0]]), 6)
    10.0
    >>> round(frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(2)), 6)
    0.0
    """
    mu1 = _as_float64("mu1", mu1, ndim=1)  # (D,)
    mu2 = _as_float64("mu2", mu2, ndim=1)  # (D,)
    if mu1.size == 0:
        raise invalid("mu1", "a non-empty mean vector", f"shape {mu1.shape}")
    if mu2.shape != mu1.shape:
        raise invalid("mu2", f"the same shape as `mu1`, {mu1.shape}", f"shape {mu2.shape}")
    dim = mu1.shape[0]
    sigma1 = _check_covariance("sigma1", sigma1, dim)  # (D, D)
    sigma2 = _check_covariance("sigma2", sigma2, dim)  # (D, D)
    sigma1 = (sigma1 + sigma1.T) / 2  # remove round-off asymmetry before eigh
    sigma2 = (sigma2 + sigma2.T) / 2
    root1 = _psd_sqrt(sigma1)  # Σ1^½, (D, D)
    middle = root1 @ sigma2 @ root1  # Σ1^½ Σ2 Σ1^½, symmetric PSD, (D, D)
    eig = np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0.0, None)  # (D,)
    tr_covmean = float(np.sum(np.sqrt(eig)))  # Tr (Σ1 Σ2)^½
    diff = mu1 - mu2  # (D,)
    d2 = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean)
    return max(d2, 0.0)


def reference_statistics(dataset="mnist"):
    """The feature statistics of a real data set, shipped in the package and
    loaded through the checked loader :func:`stylegan_edu.pretrained.fid_statistics`.

    * ``"mnist"``: the MNIST feature net's penultimate features over the
      2,000 held-out digits of :func:`stylegan_edu.data.mnist_gan_split`,
      which neither the feature net nor any generator trains on,
      :func:`stylegan_edu.pretrained.mnist_fid_statistics` (its
      real-against-real floor is recorded there).
    * ``"fashion_mnist"``: the Fashion-MNIST feature net's over the 10,000
      images of the Fashion-MNIST *test* split, which no generator trains on,
      :func:`stylegan_edu.pretrained.fashion_mnist_fid_statistics` (its
      real-against-real floor is recorded there).

    Both are computed by ``scripts/compute_fid_stats.py --dataset ...``; the
    file records how many images it used (``n``) and from which split
    (``source``).

    Args:
        dataset: ``"mnist"`` or ``"fashion_mnist"``.

    Returns:
        tuple: ``(mu (D,), sigma (D, D), info)`` with ``info`` a dict holding
        ``n``, ``source``, ``feature_net_sha256`` and, where shipped,
        ``features`` (real feature vectors, the reference of :func:`kid`).

    Example:

    >>> mu, sigma, info = reference_statistics("mnist")
    >>> sigma.shape == (mu.shape[0], mu.shape[0]), info["n"], info["features"].shape
    (True, 2000, (2000, 128))
    """
    from stylegan_edu.pretrained import fid_statistics

    check_choice("dataset", dataset, DATASETS)
    return fid_statistics(dataset)  # checked against its SHA256SUMS; float64 copies


def _check_images(images):
    """Validate 28 x 28 grey images in [-1, 1]; return float32 (N, 28, 28, 1), N >= 2."""
    from stylegan_edu.features import _check_digit_images

    a = _check_digit_images(images)  # (N, 28, 28, 1): shape, finiteness and range checked there
    if a.shape[0] < 2:
        raise invalid("images", "at least 2 images (a covariance needs two samples)", f"shape {a.shape}")
    return np.clip(a, -1.0, 1.0)


def _features(images, dataset, batch_size):
    from stylegan_edu.features import penultimate_features

    return np.asarray(penultimate_features(images, dataset, batch_size=batch_size), dtype=np.float64)  # (N, D)


def _warn_if_few(n, d, stacklevel=3):
    """Warn that an FID from n < d images is mostly small-sample bias."""
    if n < d:
        warnings.warn(f"FID from {n} images in a {d}-dimensional feature space: the sample covariance has rank at most "
                      f"{n - 1} < {d}, so the value is mostly small-sample bias. Use at least {d} images (this book uses "
                      "2,000 to 10,000), and compare FIDs only at equal numbers of images.", UserWarning, stacklevel=stacklevel)


def fid(images, dataset="mnist", batch_size=500):
    r"""FID: the Fréchet distance between images and a real data set, in
    the feature space of the package's classifier for that data set.

    Formula:
        :math:`\mathrm{FID} = d^2\big(\mathcal N(\mu_g, \Sigma_g),
        \mathcal N(\mu_r, \Sigma_r)\big)` (see :func:`frechet_distance`),
        with :math:`(\mu_g, \Sigma_g)` from the images' penultimate
        features and :math:`(\mu_r, \Sigma_r)` from
        :func:`reference_statistics`.

    Lower is better; 0 means the feature statistics match. FID is biased
    upwards for small N, so compare values computed with the same number of
    images, and against the real-against-real floor at that number (recorded
    with the reference statistics, e.g.
    :func:`stylegan_edu.pretrained.fashion_mnist_fid_statistics`).

    Its known failure cases:

    * fewer images than feature dimensions (N < D = 128): the sample
      covariance has rank at most N - 1 < D and the value is mostly
      small-sample bias; a ``UserWarning`` says so;
    * a collapsed generator (every image alike, a rank-deficient covariance):
      a finite, large value, not NaN (the matrix square root clips round-off
      below zero).

    Args:
        images: generated images in [-1, 1], shape (N, 28, 28, 1) or
            (N, 28, 28), N >= 2.
        dataset: which data set's feature net and reference statistics:
            ``"mnist"`` or ``"fashion_mnist"``.
        batch_size: images per forward pass of the feature net.

    Returns:
        float: the FID, >= 0.

    Example:

    >>> import numpy as np
    >>> noise = np.random.default_rng(0).uniform(-1, 1, (200, 28, 28, 1))
    >>> fid(noise, dataset="fashion_mnist") > 100  # uniform noise is no garment
    True
    """
    check_choice("dataset", dataset, DATASETS)
    images = _check_images(images)  # (N, 28, 28, 1)
    check_positive_int("batch_size", batch_size)
    mu_r, sigma_r, _ = reference_statistics(dataset)
    n, d = len(images), mu_r.shape[0]
    _warn_if_few(n, d, stacklevel=3)
    mu_g, sigma_g = feature_statistics(_features(images, dataset, batch_size))
    return frechet_distance(mu_g, sigma_g, mu_r, sigma_r)


def mnist_fid(images, reference="mnist", batch_size=500):
    r"""MNIST-FID: :func:`fid` with ``dataset="mnist"`` (chapters 8 and 9).

    Args:
        images: generated digits in [-1, 1], shape (N, 28, 28, 1) or
            (N, 28, 28), N >= 2.
        reference: which shipped statistics to compare with (``"mnist"``).
        batch_size: images per forward pass of the feature net.

    Returns:
        float: the MNIST-FID, >= 0.

    Example:

    >>> import numpy as np
    >>> noise = np.random.default_rng(0).uniform(-1, 1, (200, 28, 28, 1))
    >>> mnist_fid(noise) > 100  # uniform noise is nothing like a digit
    True
    """
    check_choice("reference", reference, ("mnist",))
    return fid(images, dataset="mnist", batch_size=batch_size)


def _polynomial_kernel(a, b):
    r"""The KID kernel :math:`k(a, b) = (a^\top b / D + 1)^3` between the rows of a (m, D) and b (n, D)."""
    t = a @ b.T  # (m, n)
    t /= a.shape[1]
    t += 1.0
    cube = t * t
    cube *= t  # in place, and much faster than the general power ``t ** 3``
    return cube


def kernel_distance(features_a, features_b, subset_size=1000, num_subsets=100, seed=0):
    r"""The kernel distance of two sets of feature vectors: KID's unbiased squared MMD.

    Formula:
        with the cubic polynomial kernel :math:`k(x, y) = (x^\top y / D + 1)^3`
        and subsets :math:`x_1..x_m` of ``features_a`` and :math:`y_1..y_m`
        of ``features_b`` (drawn without replacement),
        :math:`\widehat{\mathrm{MMD}}^2 = \frac{1}{m(m-1)}\sum_{i \ne j}
        \big(k(x_i, x_j) + k(y_i, y_j)\big) - \frac{2}{m^2}\sum_{i, j} k(x_i, y_j)`,
        averaged over ``num_subsets`` subsets (Bińkowski et al., 2018).

    Unlike FID it is unbiased: two samples of one distribution give values
    scattered around 0 (slightly negative ones too), whatever the sample
    size; a larger ``subset_size`` only makes it less noisy.

    Args:
        features_a: (N_a, D) feature vectors, N_a >= 2.
        features_b: (N_b, D) feature vectors.
        subset_size: m; capped at the smaller of N_a and N_b.
        num_subsets: how many subset pairs to average over.
        seed: seed of the subset draws (a ``numpy.random.default_rng``).

    Returns:
        float: the mean of the subset estimates (KID; it may be slightly
        negative for samples of one distribution).

    Example:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> same = kernel_distance(rng.normal(size=(500, 8)), rng.normal(size=(500, 8)), subset_size=100)
    >>> shifted = kernel_distance(rng.normal(size=(500, 8)), rng.normal(1.0, 1.0, size=(500, 8)), subset_size=100)
    >>> abs(same) < 0.05, shifted > 1
    (True, True)
    """
    a = _as_float64("features_a", features_a, ndim=2)  # (N_a, D)
    b = _as_float64("features_b", features_b, ndim=2)  # (N_b, D)
    if b.shape[1] != a.shape[1]:
        raise invalid("features_b", f"feature vectors of length {a.shape[1]}, as in `features_a`", f"shape {b.shape}")
    if min(len(a), len(b)) < 2:
        raise invalid("features_a" if len(a) < 2 else "features_b", "at least 2 feature vectors",
                      f"shape {(a if len(a) < 2 else b).shape}")
    m = min(check_positive_int("subset_size", subset_size, minimum=2), len(a), len(b))
    num_subsets = check_positive_int("num_subsets", num_subsets)
    check_allocation("num_subsets", (num_subsets,), 8, received=f"num_subsets={num_subsets}")
    check_positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    estimates = np.empty(num_subsets)  # (S,)
    for s in range(num_subsets):
        x = a[rng.choice(len(a), m, replace=False)]  # (m, D)
        y = b[rng.choice(len(b), m, replace=False)]  # (m, D)
        k_xx, k_yy, k_xy = _polynomial_kernel(x, x), _polynomial_kernel(y, y), _polynomial_kernel(x, y)  # (m, m) each
        within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
        estimates[s] = within - 2.0 * k_xy.mean()
    return float(estimates.mean())


def kid(images, dataset="mnist", subset_size=1000, num_subsets=100, seed=0, batch_size=500):
    r"""KID: the kernel distance between images and a real data set, in the
    feature space of the package's classifier for that data set.

    Formula:
        :func:`kernel_distance` between the images' penultimate features and
        the real features shipped with :func:`reference_statistics` (for
        ``"fashion_mnist"``: all 10,000 test-split images; for ``"mnist"``:
        the 2,000 held-out digits of :func:`stylegan_edu.data.mnist_gan_split`).

    Lower is better; unlike :func:`fid` it is unbiased, so real images score
    about 0 at any sample size (the floor recorded with the reference
    statistics), and values from different sample sizes are comparable.

    Args:
        images: generated images in [-1, 1], shape (N, 28, 28, 1) or
            (N, 28, 28), N >= 2.
        dataset: ``"mnist"`` or ``"fashion_mnist"``.
        subset_size: images per subset (capped at N), as in :func:`kernel_distance`.
        num_subsets: subsets to average over.
        seed: seed of the subset draws.
        batch_size: images per forward pass of the feature net.

    Returns:
        float: the KID (about 0 for real images; may be slightly negative).

    Raises:
        ValueError: for bad images or arguments, or for reference
            statistics that hold no real feature vectors.

    Example:

    >>> import numpy as np
    >>> noise = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1))
    >>> kid(noise, dataset="fashion_mnist", num_subsets=10) > 0.5  # uniform noise is no garment
    True
    """
    check_choice("dataset", dataset, DATASETS)
    images = _check_images(images)  # (N, 28, 28, 1)
    check_positive_int("batch_size", batch_size)
    check_positive_int("subset_size", subset_size, minimum=2)  # before the features are computed
    check_allocation("num_subsets", (check_positive_int("num_subsets", num_subsets),), 8, received=f"num_subsets={num_subsets}")
    check_positive_int("seed", seed, minimum=0)
    _, _, info = reference_statistics(dataset)
    if "features" not in info:
        with_features = [d for d in DATASETS if "features" in reference_statistics(d)[2]]
        raise invalid("dataset", "a data set whose shipped statistics hold real feature vectors for the KID: "
                      + ", ".join(map(repr, with_features)), f"dataset={dataset!r}")
    return kernel_distance(_features(images, dataset, batch_size), info["features"],
                           subset_size=subset_size, num_subsets=num_subsets, seed=seed)


def predicted_classes(images, dataset="fashion_mnist", batch_size=1000):
    r"""The class that a data set's shipped feature net predicts for each image, with its probability.

    Formula:
        :math:`\hat y_i = \arg\max_k p_k(x_i)`, confidence
        :math:`\max_k p_k(x_i)`, with :math:`p = \mathrm{softmax}(\text{logits})`.

    Args:
        images: images in [-1, 1], shape (N, 28, 28, 1) or (N, 28, 28), N >= 1.
        dataset: ``"mnist"`` or ``"fashion_mnist"``.
        batch_size: images per forward pass.

    Returns:
        tuple: ``(labels, confidence)``, int64 (N,) and float64 (N,).

    Example:

    >>> import numpy as np
    >>> predicted, confidence = predicted_classes(np.full((2, 28, 28, 1), -1.0), "fashion_mnist")
    >>> predicted.shape, bool(((confidence > 0) & (confidence <= 1)).all())
    ((2,), True)
    """
    from stylegan_edu.features import _check_digit_images
    from stylegan_edu.pretrained import feature_net

    check_choice("dataset", dataset, DATASETS)
    x = _check_digit_images(images)  # (N, 28, 28, 1)
    if not len(x):
        raise invalid("images", "at least one image (N, 28, 28, 1)", f"shape {x.shape}")
    batch_size = check_positive_int("batch_size", batch_size)
    net = feature_net(dataset)
    return _classes_from_logits(map_in_batches(lambda v: net(v, training=False), x, batch_size, name="images"))


def _classes_from_logits(logits):
    """(argmax class int64 (N,), its softmax probability float64 (N,)) of logits (N, K)."""
    logits = np.asarray(logits, np.float64)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return p.argmax(axis=1), p.max(axis=1)


def sample_quality(images, dataset="fashion_mnist", batch_size=500, legible_threshold=0.9):
    r"""Every standard number for a batch of generated images: FID, KID, class shares and mean confidence.

    One pass of the feature net serves the FID (:func:`fid`), the KID
    (:func:`kid`, 100 subsets of up to 1,000 images) and the predicted
    classes (:func:`predicted_classes`, from the same pass's logits). The
    classes give each class's share of the samples (a collapsed generator
    shows up as one class far above 10%), the mean
    classifier confidence and the *legible rate*: the share of images the
    classifier assigns to some class with probability at least
    ``legible_threshold``. This is what the shipped generators' JSON records,
    what ``benchmarks/stylegan_vs_dcgan.py`` compares and what chapter 13
    measures the truncation trick with.

    Args:
        images: generated images in [-1, 1], shape (N, 28, 28, 1) or (N, 28, 28), N >= 2.
        dataset: ``"fashion_mnist"`` (class names from
            :data:`stylegan_edu.data.FASHION_MNIST_CLASSES`) or ``"mnist"``
            (digits).
        batch_size: images per forward pass.
        legible_threshold: the confidence in (0, 1] an image needs to count as legible.

    Returns:
        dict: ``fid``, ``kid``, ``num_samples``, ``mean_confidence``,
        ``legible_rate`` and ``class_shares`` (class name -> share).

    Example:

    >>> import numpy as np
    >>> q = sample_quality(np.random.default_rng(0).uniform(-1, 1, (200, 28, 28, 1)))
    >>> sorted(q), q["fid"] > 100, round(sum(q["class_shares"].values()), 6)
    (['class_shares', 'fid', 'kid', 'legible_rate', 'mean_confidence', 'num_samples'], True, 1.0)
    """
    from stylegan_edu.data import FASHION_MNIST_CLASSES
    from stylegan_edu.features import _features_and_logits

    check_choice("dataset", dataset, DATASETS)
    images = _check_images(images)  # (N, 28, 28, 1)
    check_positive_int("batch_size", batch_size)
    legible_threshold = check_float_range("legible_threshold", legible_threshold, 0.0, 1.0, low_inclusive=False)
    mu_r, sigma_r, info = reference_statistics(dataset)
    _warn_if_few(len(images), mu_r.shape[0], stacklevel=3)
    features, logits = _features_and_logits(images, dataset, batch_size)  # (N, 128), (N, 10): one forward pass
    features = np.asarray(features, np.float64)
    mu_g, sigma_g = feature_statistics(features)
    kid_value = None
    if "features" in info:
        kid_value = float(kernel_distance(features, info["features"], subset_size=1000, num_subsets=100, seed=0))
    labels, confidence = _classes_from_logits(logits)
    names = FASHION_MNIST_CLASSES if dataset == "fashion_mnist" else tuple(str(d) for d in range(10))
    counts = np.bincount(labels, minlength=len(names))
    return {
        "fid": float(frechet_distance(mu_g, sigma_g, mu_r, sigma_r)),
        "kid": kid_value,
        "num_samples": int(len(images)),
        "mean_confidence": float(confidence.mean()),
        "legible_rate": float((confidence >= legible_threshold).mean()),
        "class_shares": {name: float(c / len(images)) for name, c in zip(names, counts)},
    }


def classifier_score_from_probabilities(probabilities, splits=1):
    r"""The Inception-score formula applied to given class probabilities.

    Formula:
        :math:`\mathrm{CS} = \exp\Big(\mathbb E_x\,
        \mathrm{KL}\big(p(y \mid x)\,\Vert\,p(y)\big)\Big)` with
        :math:`p(y) = \mathbb E_x\, p(y \mid x)`, averaged over ``splits``
        equal parts of the images (Salimans et al., 2016).

    It lies between 1 (every image gets the same class distribution: no
    variety, or no confident class) and the number of classes (confident
    predictions spread evenly over all classes).

    Args:
        probabilities: (N, K) rows of class probabilities (each sums to 1).
        splits: number of equal parts to average over (1: all at once).

    Returns:
        tuple: ``(mean, std)`` over the splits (std is 0 for one split).

    Example:

    >>> import numpy as np
    >>> round(classifier_score_from_probabilities(np.eye(10))[0], 6)  # ten confident, different classes
    10.0
    >>> round(classifier_score_from_probabilities(np.full((5, 10), 0.1))[0], 6)  # no confidence
    1.0
    """
    p = _as_float64("probabilities", probabilities, ndim=2)  # (N, K)
    if p.size == 0:
        raise invalid("probabilities", "at least one row of class probabilities", f"shape {p.shape}")
    if p.min() < -1e-6 or np.max(np.abs(p.sum(axis=1) - 1.0)) > 1e-3:
        raise invalid("probabilities", "rows of probabilities in [0, 1] that sum to 1 (apply a softmax to logits)",
                      f"min={p.min():.4g}, row sums in [{p.sum(axis=1).min():.4g}, {p.sum(axis=1).max():.4g}]")
    splits = check_positive_int("splits", splits)
    if splits > p.shape[0]:
        raise invalid("splits", f"at most the number of images, {p.shape[0]}", f"splits={splits}")
    p = np.clip(p, 0.0, 1.0)
    scores = []
    for part in np.array_split(p, splits):  # (n, K) each
        marginal = part.mean(axis=0, keepdims=True)  # p(y), (1, K)
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(part > 0, part * (np.log(part) - np.log(marginal)), 0.0).sum(axis=1)  # (n,)
        scores.append(float(np.exp(kl.mean())))
    return float(np.mean(scores)), float(np.std(scores))


def classifier_score(images, splits=1, batch_size=500, dataset="mnist"):
    r"""An Inception-score-like quality/diversity score on the MNIST classifier.

    The Inception score with the package's MNIST feature net instead of
    Inception v3 (see :func:`classifier_score_from_probabilities`). Higher
    is better, at most 10 on MNIST: real digits score close to 10; a
    generator that collapses onto one digit scores near 1, however sharp.
    Unlike FID it never looks at real data, so it cannot see, for example,
    that generated digits are all drawn in one style.

    Args:
        images: images in [-1, 1], shape (N, 28, 28, 1) or (N, 28, 28).
        splits: average over this many equal parts (the original Inception
            score uses 10).
        batch_size: images per forward pass.
        dataset: whose classifier: ``"mnist"`` or ``"fashion_mnist"`` (at most 10
            classes either way).

    Returns:
        tuple: ``(mean, std)`` over the splits.

    Example:

    >>> import numpy as np
    >>> blank = -np.ones((20, 28, 28, 1), "float32")  # twenty identical empty images
    >>> round(classifier_score(blank)[0], 4)  # one class distribution for all: no variety
    1.0
    """
    from keras import ops

    from stylegan_edu.pretrained import feature_net

    check_choice("dataset", dataset, DATASETS)
    images = _check_images(images)  # (N, 28, 28, 1)
    check_positive_int("batch_size", batch_size)
    net = feature_net(dataset)
    probs = map_in_batches(lambda v: ops.softmax(net(v, training=False), axis=-1), images, batch_size, name="images")  # (N, 10)
    return classifier_score_from_probabilities(probs, splits=splits)


# ---------------------------------------------------------------------------
# Image-to-image quality: PSNR and SSIM
# ---------------------------------------------------------------------------


def _image_pair(a, b, data_range):
    """Validate two images of one shape; return float64 copies and the data range."""
    x, y = np.asarray(a), np.asarray(b)
    for name, arr in (("a", x), ("b", y)):
        if arr.dtype.kind not in "uif":
            raise invalid(name, "a numeric image array", f"dtype {arr.dtype}")
        if arr.ndim not in (2, 3):
            raise invalid(name, "an image (H, W) or (H, W, C)", f"shape {arr.shape}")
        check_finite(name, arr)
        if arr.size == 0:
            raise invalid(name, "a non-empty image", f"shape {arr.shape}")
    if x.shape != y.shape:
        raise invalid("b", f"the same shape as `a`, {x.shape}", f"shape {y.shape}")
    span = max(float(x.max()), float(y.max())) - min(float(x.min()), float(y.min()))
    if data_range is None:
        lo, hi = min(float(x.min()), float(y.min())), max(float(x.max()), float(y.max()))
        if x.dtype == np.uint8 and y.dtype == np.uint8:
            data_range = 255.0
        elif x.dtype.kind == "f" and y.dtype.kind == "f" and 0.0 <= lo and hi <= 1.0:
            data_range = 1.0
        elif x.dtype.kind == "f" and y.dtype.kind == "f" and -1.0 <= lo and hi <= 1.0:
            data_range = 2.0
        else:
            # As skimage: the range of other data cannot be guessed (0..255 floats would give a PSNR 48 dB too low).
            dt = x.dtype if x.dtype != np.uint8 else y.dtype
            raise invalid("data_range", f"a positive number (it cannot be inferred for dtype {dt} with values in "
                          f"[{lo:.4g}, {hi:.4g}]; only for uint8, and floats in [0, 1] or [-1, 1]; use 255 for 0..255 values)",
                          "data_range=None")
    if isinstance(data_range, bool) or not (isinstance(data_range, (int, float, np.integer, np.floating)) and np.isfinite(data_range) and data_range > 0):
        raise invalid("data_range", "a positive number (the span of possible values: 255 for uint8, 1 for [0, 1])", f"data_range={data_range!r}")
    if span > data_range * 1.01:  # a 1% margin for methods that overshoot [0, 1] slightly
        raise invalid("data_range", f"at least the span of the values, {span:.4g} (255 for 0..255 images, 1 for [0, 1])",
                      f"data_range={data_range!r}")
    return x.astype(np.float64), y.astype(np.float64), float(data_range)


def psnr(a, b, data_range=None):
    r"""Peak signal-to-noise ratio between two images, in decibels.

    Formula:
        :math:`\mathrm{PSNR} = 10 \log_{10} \dfrac{R^2}{\mathrm{MSE}(a, b)}`,
        with :math:`R` the data range.

    Written out (it is its own definition, two lines) rather than calling
    ``skimage.metrics.peak_signal_noise_ratio``, which it equals
    (``tests/test_metrics.py`` checks): unlike skimage, identical images give
    ``inf`` without a divide-by-zero warning, and ``data_range`` is inferred
    for floats with negative values too.

    Args:
        a: the reference image, (H, W) or (H, W, C).
        b: the image to score, same shape.
        data_range: :math:`R`; ``None`` infers it: 255 for uint8, 1 for
            floats in [0, 1], 2 for floats in [-1, 1]; other data (0..255
            floats, say) raise and ask for it, as skimage does.

    Returns:
        float: PSNR in dB (higher is better).

    Example:

    >>> import numpy as np
    >>> a = np.zeros((4, 4)); b = np.full((4, 4), 0.1)
    >>> round(psnr(a, b, data_range=1.0), 4)
    20.0
    """
    x, y, r = _image_pair(a, b, data_range)
    mse = float(np.mean((x - y) ** 2))
    return float("inf") if mse == 0 else float(10.0 * np.log10(r * r / mse))


def ssim(a, b, data_range=None, win_size=7):
    r"""Structural similarity (Wang et al., 2004): ``skimage.metrics.structural_similarity``, with checks.

    Formula:
        For each 7 x 7 window with means :math:`\mu_a, \mu_b`, unbiased
        variances :math:`\sigma_a^2, \sigma_b^2` and covariance
        :math:`\sigma_{ab}`:

        .. math:: \mathrm{SSIM} = \frac{(2\mu_a\mu_b + C_1)(2\sigma_{ab} + C_2)}
                                        {(\mu_a^2 + \mu_b^2 + C_1)(\sigma_a^2 + \sigma_b^2 + C_2)}

        with :math:`C_1 = (0.01 R)^2`, :math:`C_2 = (0.03 R)^2`, averaged
        over the windows that lie fully inside the image (and over channels).
        scikit-image computes it (uniform window, ``channel_axis=-1`` for
        colour images); this function adds the package's argument checks and
        infers ``data_range`` as :func:`psnr` does.

    Args:
        a: the reference image, (H, W) or (H, W, C), H and W >= ``win_size``.
        b: the image to score, same shape.
        data_range: :math:`R`; ``None`` infers it as in :func:`psnr`.
        win_size: odd window side, >= 3.

    Returns:
        float: the mean SSIM, at most 1 (1 for identical images).

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(16, 16))
    >>> ssim(x, x, data_range=1.0), round(ssim(x, 1 - x, data_range=1.0), 4) < 0
    (1.0, True)
    """
    from skimage.metrics import structural_similarity

    x, y, r = _image_pair(a, b, data_range)
    k = check_positive_int("win_size", win_size, minimum=3)
    if k % 2 == 0:
        raise invalid("win_size", "an odd integer >= 3", f"win_size={win_size}")
    if min(x.shape[:2]) < k:
        raise invalid("a", f"an image of at least {k} x {k} pixels (the SSIM window)", f"shape {x.shape}")
    return float(structural_similarity(x, y, win_size=k, data_range=r, channel_axis=-1 if x.ndim == 3 else None))
