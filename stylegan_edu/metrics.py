r"""Quality metrics for generated images: the Fréchet distance (FID) and a
classifier score, computed on the MNIST feature net.

The Fréchet Inception Distance of Heusel et al. (2017) compares two sets of
images through the Gaussian statistics (mean, covariance) of their features in
a pretrained network. On MNIST, Inception v3 makes little sense (28x28 grey
digits), so this package uses the penultimate layer of its own small MNIST
classifier (:func:`stylegan_edu.features.mnist_feature_net`). The numbers are
therefore *MNIST-FIDs*: comparable with each other, not with published
Inception FIDs.

Chapters 8 and 9 and ``benchmarks/time_to_quality.py`` use it.
"""

import functools
import importlib.resources

import numpy as np

from stylegan_edu._validation import check_choice, check_positive_int, invalid

__all__ = [
    "feature_statistics",
    "frechet_distance",
    "reference_statistics",
    "mnist_fid",
    "classifier_score",
]

_REFERENCES = ("mnist",)  # names of the statistics shipped under stylegan_edu/assets


def _as_float64(name, x, ndim):
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid(name, "a numeric array", f"{name} of type {type(x).__name__}") from None
    if a.ndim != ndim:
        raise invalid(name, f"an array of rank {ndim}", f"shape {a.shape}")
    if not np.all(np.isfinite(a)):
        bad = int(a.size - np.count_nonzero(np.isfinite(a)))
        raise invalid(name, "finite values", f"{bad} non-finite value(s) out of {a.size}")
    return a


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
    mu = f.mean(axis=0)  # (D,)
    centred = f - mu  # (N, D)
    sigma = centred.T @ centred / (f.shape[0] - 1)  # (D, D)
    return mu, sigma


def _check_covariance(name, sigma, dim):
    if sigma.shape != (dim, dim):
        raise invalid(name, f"a square matrix of shape ({dim}, {dim}) matching the mean", f"shape {sigma.shape}")
    asym = float(np.max(np.abs(sigma - sigma.T))) if dim else 0.0
    if asym > 1e-6 * max(1.0, float(np.max(np.abs(sigma)))):
        raise invalid(name, "a symmetric covariance matrix", f"max |sigma - sigma.T| = {asym:.3g}")


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
        sigma1: its covariance, shape (D, D), symmetric positive semi-definite.
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
    if mu2.shape != mu1.shape:
        raise invalid("mu2", f"the same shape as `mu1`, {mu1.shape}", f"shape {mu2.shape}")
    sigma1 = _as_float64("sigma1", sigma1, ndim=2)  # (D, D)
    sigma2 = _as_float64("sigma2", sigma2, ndim=2)  # (D, D)
    dim = mu1.shape[0]
    _check_covariance("sigma1", sigma1, dim)
    _check_covariance("sigma2", sigma2, dim)
    sigma1 = (sigma1 + sigma1.T) / 2  # remove round-off asymmetry before eigh
    sigma2 = (sigma2 + sigma2.T) / 2
    root1 = _psd_sqrt(sigma1)  # Σ1^½, (D, D)
    middle = root1 @ sigma2 @ root1  # Σ1^½ Σ2 Σ1^½, symmetric PSD, (D, D)
    eig = np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0.0, None)  # (D,)
    tr_covmean = float(np.sum(np.sqrt(eig)))  # Tr (Σ1 Σ2)^½
    diff = mu1 - mu2  # (D,)
    d2 = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * tr_covmean)
    return max(d2, 0.0)


@functools.lru_cache(maxsize=None)
def _load_reference(reference):
    path = importlib.resources.files("stylegan_edu") / "assets" / f"{reference}_fid_stats.npz"
    with importlib.resources.as_file(path) as p, np.load(p) as data:
        return {k: data[k] for k in data.files}


def reference_statistics(reference="mnist"):
    """The feature statistics of a real data set, shipped in the package.

    ``"mnist"`` holds the statistics of the MNIST feature net's penultimate
    features over ``load_mnist("all")`` as computed by
    ``scripts/compute_fid_stats.py``. Offline (this repository's CI), that is
    the 10,000 MNIST *test* digits; the file records how many images it used
    (``n``) and from which split (``source``).

    Args:
        reference: name of the statistics (only ``"mnist"`` for now).

    Returns:
        tuple: ``(mu (D,), sigma (D, D), info)`` with ``info`` a dict holding
        ``n`` and ``source``.

    Example:

    >>> mu, sigma, info = reference_statistics("mnist")
    >>> sigma.shape == (mu.shape[0], mu.shape[0]), info["n"] >= 10000
    (True, True)
    """
    check_choice("reference", reference, _REFERENCES)
    data = _load_reference(reference)
    info = {"n": int(data["n"]), "source": str(data["source"])}
    return data["mu"].astype(np.float64), data["sigma"].astype(np.float64), info


def _check_images(images):
    """Validate MNIST-shaped images in [-1, 1]; return float32 (N, 28, 28, 1)."""
    try:
        a = np.asarray(images, dtype=np.float32)
    except (TypeError, ValueError):
        raise invalid("images", "a numeric array of shape (N, 28, 28, 1)", f"images of type {type(images).__name__}") from None
    if a.ndim == 3:
        a = a[..., None]  # (N, 28, 28) -> (N, 28, 28, 1)
    if a.ndim != 4 or a.shape[1:] != (28, 28, 1):
        raise invalid("images", "MNIST-shaped images of shape (N, 28, 28, 1) or (N, 28, 28)", f"shape {np.shape(images)}")
    if a.shape[0] < 2:
        raise invalid("images", "at least 2 images (a covariance needs two samples)", f"shape {a.shape}")
    if not np.all(np.isfinite(a)):
        bad = int(a.size - np.count_nonzero(np.isfinite(a)))
        raise invalid("images", "finite values", f"{bad} non-finite value(s) out of {a.size}")
    lo, hi = float(a.min()), float(a.max())
    if lo < -1.0 - 1e-3 or hi > 1.0 + 1e-3:
        raise invalid(
            "images",
            "pixel values in [-1, 1] (scale uint8 images with data.to_unit_range)",
            f"min={lo:.4g}, max={hi:.4g}",
        )
    return np.clip(a, -1.0, 1.0)


def _features(images, batch_size):
    from stylegan_edu.features import mnist_features

    parts = [np.asarray(mnist_features(images[i : i + batch_size])) for i in range(0, len(images), batch_size)]
    return np.concatenate(parts, axis=0).astype(np.float64)  # (N, D)


def mnist_fid(images, reference="mnist", batch_size=500):
    r"""MNIST-FID: the Fréchet distance between images and real MNIST, in
    the feature space of the package's MNIST classifier.

    Formula:
        :math:`\mathrm{FID} = d^2\big(\mathcal N(\mu_g, \Sigma_g),
        \mathcal N(\mu_r, \Sigma_r)\big)` (see :func:`frechet_distance`),
        with :math:`(\mu_g, \Sigma_g)` from the images' penultimate
        features and :math:`(\mu_r, \Sigma_r)` from
        :func:`reference_statistics`.

    Lower is better; 0 means the feature statistics match. FID is biased
    upwards for small N, so compare values computed with the same number of
    images (a few thousand is typical; 10,000 matches the reference).

    Args:
        images: generated images in [-1, 1], shape (N, 28, 28, 1) or
            (N, 28, 28), N >= 2.
        reference: which shipped statistics to compare with (``"mnist"``).
        batch_size: images per forward pass of the feature net.

    Returns:
        float: the MNIST-FID, >= 0.

    Example:

    >>> import numpy as np
    >>> noise = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1))
    >>> mnist_fid(noise) > 100  # doctest: +SKIP
    True
    """
    images = _check_images(images)  # (N, 28, 28, 1)
    check_positive_int("batch_size", batch_size)
    mu_r, sigma_r, _ = reference_statistics(reference)
    mu_g, sigma_g = feature_statistics(_features(images, batch_size))
    return frechet_distance(mu_g, sigma_g, mu_r, sigma_r)
