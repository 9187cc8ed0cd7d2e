r"""The GAN game in closed form, on densities given on a 1-D grid (chapter 3).

Goodfellow et al. (2014) define the game through the value function

.. math:: V(D, G) = \mathbb E_{x \sim p_\text{data}} \log D(x) + \mathbb E_{x \sim p_g} \log\big(1 - D(x)\big),

which the discriminator maximises and the generator minimises. For a fixed
generator the best discriminator is :math:`D^* = p_\text{data} / (p_\text{data} + p_g)`
(:func:`optimal_discriminator`), and at :math:`D^*` the value is
:math:`2\,\mathrm{JS}(p_\text{data} \,\|\, p_g) - \log 4` (:func:`js_divergence`):
the generator then minimises a Jensen-Shannon divergence, which is 0 only when
:math:`p_g = p_\text{data}`.

On a 1-D grid these integrals are sums (the trapezoidal rule), so the claims can
be checked numerically, and a trained discriminator compared with :math:`D^*`.
Densities are arrays of values on an increasing grid ``x``; natural logarithms.
"""

import numpy as np

from stylegan_edu._validation import invalid

__all__ = ["gaussian_mixture_pdf", "optimal_discriminator", "value_function", "kl_divergence", "js_divergence",
           "generator_objectives"]


def _floats(name, a):
    try:
        return np.asarray(a, np.float64)
    except (TypeError, ValueError):
        raise invalid(name, "an array of real numbers", f"{name} of type {type(a).__name__}") from None


def _range_text(a):
    finite = a[np.isfinite(a)]
    return f"values in [{finite.min():g}, {finite.max():g}] with {np.size(a) - finite.size} not finite" if finite.size \
        else "no finite values"


def _grid(x):
    x = _floats("x", x)
    if x.ndim != 1 or len(x) < 2 or not np.all(np.isfinite(x)) or not np.all(np.diff(x) > 0):
        raise invalid("x", "an increasing 1-D grid of at least 2 finite points", f"shape {x.shape}" if x.ndim != 1 or len(x) < 2
                      else "a grid that is not strictly increasing or not finite")
    return x


def _density(name, p, x):
    p = _floats(name, p)
    if p.shape != x.shape:
        raise invalid(name, f"density values on the grid, shape {x.shape}", f"shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise invalid(name, "finite density values >= 0", _range_text(p))
    return p


def _integral(values, x):
    return float(np.trapezoid(values, x))


def gaussian_mixture_pdf(x, means, stds, weights=None):
    r"""The density of a mixture of Gaussians on a grid.

    Formula:
        :math:`p(x) = \sum_k \pi_k\, \mathcal N(x;\ \mu_k, \sigma_k^2)`.

    Args:
        x: points, any shape.
        means: :math:`\mu_k`.
        stds: :math:`\sigma_k > 0`, as many as means.
        weights: :math:`\pi_k \ge 0`, summing to 1; default equal.

    Returns:
        numpy.ndarray: float64, the shape of ``x``.

    Example:

    >>> import numpy as np
    >>> x = np.linspace(-10, 10, 2001)
    >>> round(float(np.trapezoid(gaussian_mixture_pdf(x, [-2, 1.5], [0.6, 0.8]), x)), 6)
    1.0
    """
    x = _floats("x", x)
    means, stds = np.atleast_1d(_floats("means", means)), np.atleast_1d(_floats("stds", stds))
    if means.ndim != 1 or means.shape != stds.shape or not len(means):
        raise invalid("stds", f"one standard deviation per mean ({len(means)})", f"{len(stds)} of them")
    if not np.all(np.isfinite(means)):
        raise invalid("means", "finite numbers", f"means={means.tolist()}")
    if not np.all(np.isfinite(stds)) or np.any(stds <= 0):
        raise invalid("stds", "standard deviations > 0", f"stds={stds.tolist()}")
    w = np.full(len(means), 1.0 / len(means)) if weights is None else _floats("weights", weights)
    if w.shape != means.shape or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise invalid("weights", f"{len(means)} weights >= 0 that sum to 1", f"weights={np.asarray(weights).tolist()}")
    z = (x[..., None] - means) / stds  # (..., K)
    return np.sum(w * np.exp(-0.5 * z**2) / (stds * np.sqrt(2 * np.pi)), axis=-1)


def optimal_discriminator(p_data, p_g):
    r"""The discriminator that maximises :math:`V(D, G)` for a fixed generator.

    Formula:
        .. math:: D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}

        (pointwise: :math:`a \log y + b \log(1 - y)` is largest at
        :math:`y = a / (a + b)`). Where both densities are 0 it is
        undefined; this function returns 1/2 there.

    Args:
        p_data: density values (any shape), >= 0.
        p_g: density values, the same shape.

    Returns:
        numpy.ndarray: float64 values in [0, 1].

    Example:

    >>> optimal_discriminator([3.0, 1.0, 0.0], [1.0, 1.0, 0.0]).tolist()
    [0.75, 0.5, 0.5]
    """
    p_data = _floats("p_data", p_data)
    p_g = _density("p_g", p_g, p_data)
    p_data = _density("p_data", p_data, p_data)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


def value_function(d, p_data, p_g, x):
    r"""The GAN value :math:`V(D, G)` for a discriminator given on a grid.

    Formula:
        .. math:: V = \int p_\text{data}(x) \log D(x)\,dx + \int p_g(x) \log\big(1 - D(x)\big)\,dx

        by the trapezoidal rule on ``x``; :math:`0 \log 0 = 0`. Where D is
        exactly 0 or 1 (in float64, as :math:`D^*` is where the other density
        underflows) the logarithm is clipped at that of the smallest float,
        about -708, so a density of 1e-300 there adds about 0, not
        :math:`-\infty`.

    Args:
        d: :math:`D(x)` on the grid, values in [0, 1].
        p_data: the data density on the grid.
        p_g: the generator's density on the grid.
        x: the grid, increasing.

    Returns:
        float: V (at most 0; :math:`-\log 4` when :math:`p_g = p_\text{data}` and :math:`D = D^*`).

    Example:

    >>> import numpy as np
    >>> x = np.linspace(-8, 8, 4001)
    >>> p = gaussian_mixture_pdf(x, [0.0], [1.0])
    >>> round(value_function(optimal_discriminator(p, p), p, p, x), 6), round(float(-np.log(4)), 6)
    (-1.386294, -1.386294)
    """
    x = _grid(x)
    d = _floats("d", d)
    if d.shape != x.shape or not np.all(np.isfinite(d)) or np.any((d < 0) | (d > 1)):
        raise invalid("d", f"discriminator outputs in [0, 1] on the grid, shape {x.shape}",
                      f"shape {d.shape}" if d.shape != x.shape else _range_text(d))
    p_data, p_g = _density("p_data", p_data, x), _density("p_g", p_g, x)
    tiny = np.finfo(np.float64).tiny  # D rounded to exactly 0 or 1 where a density is ~1e-300: log clipped, term ~0
    real = np.where(p_data > 0, p_data * np.log(np.maximum(d, tiny)), 0.0)
    fake = np.where(p_g > 0, p_g * np.log(np.maximum(1.0 - d, tiny)), 0.0)
    return _integral(real, x) + _integral(fake, x)


def kl_divergence(p, q, x):
    r"""The Kullback-Leibler divergence :math:`\mathrm{KL}(p \,\|\, q) = \int p \log(p / q)`, on a grid.

    Args:
        p: density values on ``x``.
        q: density values on ``x`` (``inf`` where q = 0 < p).
        x: the grid.

    Returns:
        float: KL in nats, >= 0 up to the integration error.

    Example:

    >>> import numpy as np
    >>> x = np.linspace(-12, 12, 6001)
    >>> p, q = gaussian_mixture_pdf(x, [0.0], [1.0]), gaussian_mixture_pdf(x, [1.0], [1.0])
    >>> round(kl_divergence(p, q, x), 6)  # (mu_p - mu_q)^2 / 2 for unit variances
    0.5
    """
    x = _grid(x)
    p, q = _density("p", p, x), _density("q", q, x)
    if np.any((p > 0) & (q == 0)):
        return float("inf")
    with np.errstate(divide="ignore", invalid="ignore"):
        integrand = np.where(p > 0, p * np.log(p / np.where(q > 0, q, 1.0)), 0.0)
    return _integral(integrand, x)


def js_divergence(p, q, x):
    r"""The Jensen-Shannon divergence on a grid.

    Formula:
        .. math:: \mathrm{JS}(p \,\|\, q) = \tfrac12 \mathrm{KL}(p \,\|\, m) + \tfrac12 \mathrm{KL}(q \,\|\, m),
                  \qquad m = \tfrac12 (p + q)

        Symmetric, between 0 (p = q) and :math:`\log 2` (disjoint supports).

    Args:
        p: density values on ``x``.
        q: density values on ``x``.
        x: the grid.

    Returns:
        float: JS in nats.

    Example:

    >>> import numpy as np
    >>> x = np.linspace(-30, 30, 20001)
    >>> far = js_divergence(gaussian_mixture_pdf(x, [-10.0], [1.0]), gaussian_mixture_pdf(x, [10.0], [1.0]), x)
    >>> round(far, 6) == round(float(np.log(2)), 6)
    True
    """
    x = _grid(x)
    p, q = _density("p", p, x), _density("q", q, x)
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, x) + 0.5 * kl_divergence(q, m, x)


def generator_objectives(p_data, p_g, x):
    r"""What the generator minimises when the discriminator is optimal, for both generator losses.

    Formula:
        * minimax (saturating): :math:`\int p_g \log(1 - D^*) = 2\,\mathrm{JS} - \log 4 - \int p_\text{data} \log D^*`,
          up to the data term that does not depend on G; the full value
          :math:`V(D^*, G) = 2\,\mathrm{JS}(p_\text{data} \| p_g) - \log 4`;
        * non-saturating: :math:`-\int p_g \log D^* = \mathrm{KL}(p_g \| p_\text{data}) - \mathrm{KL}(p_g \| m) + \log 2`,
          :math:`m = \tfrac12 (p_\text{data} + p_g)` (write :math:`-\log D^* = \log(p_g / p_\text{data}) - \log(p_g / 2m)`;
          Arjovsky and Bottou, 2017, give the same in terms of JS).

        Both are smallest when :math:`p_g = p_\text{data}`: the non-saturating
        loss changes the gradients the generator gets, not where the game ends.

    Args:
        p_data: the data density on ``x``.
        p_g: the generator's density on ``x``.
        x: the grid.

    Returns:
        dict: ``value`` (:math:`V(D^*, G)`), ``two_js_minus_log4``,
        ``saturating`` (:math:`\int p_g \log(1 - D^*)`), ``non_saturating``
        (:math:`-\int p_g \log D^*`), ``kl_g_data`` (:math:`\mathrm{KL}(p_g \| p_\text{data})`),
        ``kl_g_mixture`` (:math:`\mathrm{KL}(p_g \| m)`).

    Example:

    >>> import numpy as np
    >>> x = np.linspace(-12, 12, 8001)
    >>> o = generator_objectives(gaussian_mixture_pdf(x, [0.0], [1.0]), gaussian_mixture_pdf(x, [1.0], [1.5]), x)
    >>> bool(abs(o["value"] - o["two_js_minus_log4"]) < 1e-6)
    True
    """
    x = _grid(x)
    p_data, p_g = _density("p_data", p_data, x), _density("p_g", p_g, x)
    d = optimal_discriminator(p_data, p_g)
    with np.errstate(divide="ignore", invalid="ignore"):  # log D* and log(1 - D*) from the densities, not from D*
        log_total = np.log(p_data + p_g)
        saturating = _integral(np.where(p_g > 0, p_g * (np.log(p_g) - log_total), 0.0), x)
        log_d = np.where(p_data > 0, np.log(p_data) - log_total, -np.inf)
        non_saturating = -_integral(np.where(p_g > 0, p_g * log_d, 0.0), x)
    return {
        "value": value_function(d, p_data, p_g, x),
        "two_js_minus_log4": float(2.0 * js_divergence(p_data, p_g, x) - np.log(4.0)),
        "saturating": saturating,
        "non_saturating": non_saturating,
        "kl_g_data": kl_divergence(p_g, p_data, x),
        "kl_g_mixture": kl_divergence(p_g, 0.5 * (p_data + p_g), x),
    }
