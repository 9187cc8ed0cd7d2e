"""The GAN game's closed forms (chapter 3) against independent formulas: Gaussians' KL, the logistic D*, scans."""

import numpy as np
import pytest

from stylegan_edu import gan_theory as gt

X = np.linspace(-15, 15, 12001)


def _gauss(mu, sigma):
    return gt.gaussian_mixture_pdf(X, [mu], [sigma])


def test_mixture_pdf_is_the_normal_formula():
    want = 0.3 * np.exp(-0.5 * ((X + 1) / 0.5) ** 2) / (0.5 * np.sqrt(2 * np.pi)) \
        + 0.7 * np.exp(-0.5 * ((X - 2) / 2.0) ** 2) / (2.0 * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(gt.gaussian_mixture_pdf(X, [-1, 2], [0.5, 2.0], [0.3, 0.7]), want, rtol=1e-12)


def test_optimal_discriminator_is_the_logistic_of_the_log_ratio():
    p, q = _gauss(0.0, 1.0), _gauss(1.0, 2.0)
    log_ratio = (-0.5 * X**2 - np.log(1.0)) - (-0.5 * ((X - 1) / 2) ** 2 - np.log(2.0))
    np.testing.assert_allclose(gt.optimal_discriminator(p, q), 1 / (1 + np.exp(-log_ratio)), atol=1e-12)


@pytest.mark.parametrize("mu1,s1,mu2,s2", [(0, 1, 1, 1), (0.5, 0.7, -1, 2.0), (2, 1.5, 2, 0.5)])
def test_kl_matches_the_gaussian_closed_form(mu1, s1, mu2, s2):
    want = np.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5
    assert gt.kl_divergence(_gauss(mu1, s1), _gauss(mu2, s2), X) == pytest.approx(want, abs=1e-6)


def test_js_properties():
    p, q = _gauss(0.0, 1.0), gt.gaussian_mixture_pdf(X, [-2, 3], [0.5, 1.0])
    assert gt.js_divergence(p, q, X) == pytest.approx(gt.js_divergence(q, p, X), rel=1e-12)
    assert abs(gt.js_divergence(p, p, X)) < 1e-12
    assert 0 < gt.js_divergence(p, q, X) < np.log(2)
    assert gt.js_divergence(_gauss(-9, 0.5), _gauss(9, 0.5), X) == pytest.approx(np.log(2), abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_the_value_at_d_star_is_2js_minus_log4_and_d_star_is_the_maximum(seed):
    rng = np.random.default_rng(seed)
    p = gt.gaussian_mixture_pdf(X, rng.uniform(-4, 4, 2), rng.uniform(0.4, 2, 2))
    q = gt.gaussian_mixture_pdf(X, rng.uniform(-4, 4, 3), rng.uniform(0.4, 2, 3))
    d_star = gt.optimal_discriminator(p, q)
    v_star = gt.value_function(d_star, p, q, X)
    assert v_star == pytest.approx(2 * gt.js_divergence(p, q, X) - np.log(4), abs=1e-9)
    for _ in range(5):  # any other discriminator does worse
        other = np.clip(d_star + rng.normal(0, 0.05, X.shape), 1e-6, 1 - 1e-6)
        assert gt.value_function(other, p, q, X) < v_star


def test_non_saturating_objective_identity_and_both_fixed_points():
    p_data = _gauss(0.5, 1.0)
    o = gt.generator_objectives(p_data, _gauss(-1.0, 1.3), X)
    assert o["non_saturating"] == pytest.approx(o["kl_g_data"] - o["kl_g_mixture"] + np.log(2), abs=1e-6)
    assert o["value"] == pytest.approx(o["two_js_minus_log4"], abs=1e-9)
    mus = np.linspace(-2.5, 3.5, 61)
    sat = [gt.generator_objectives(p_data, _gauss(m, 1.0), X)["value"] for m in mus]
    ns = [gt.generator_objectives(p_data, _gauss(m, 1.0), X)["non_saturating"] for m in mus]
    assert mus[int(np.argmin(sat))] == pytest.approx(0.5) and mus[int(np.argmin(ns))] == pytest.approx(0.5)


@pytest.mark.parametrize("call,arg", [
    (lambda: gt.value_function(np.full(X.shape, 1.5), _gauss(0, 1), _gauss(0, 1), X), "d"),
    (lambda: gt.value_function(np.full(3, 0.5), np.ones(3), np.ones(3), [0, 2, 1]), "x"),
    (lambda: gt.js_divergence(-_gauss(0, 1), _gauss(0, 1), X), "p"),
    (lambda: gt.kl_divergence(_gauss(0, 1), _gauss(0, 1)[:-1], X), "q"),
    (lambda: gt.gaussian_mixture_pdf(X, [0, 1], [1.0]), "stds"),
    (lambda: gt.gaussian_mixture_pdf(X, [0], [0.0]), "stds"),
    (lambda: gt.gaussian_mixture_pdf(X, [0, 1], [1, 1], [0.7, 0.7]), "weights"),
    (lambda: gt.optimal_discriminator([1.0, -1.0], [1.0, 1.0]), "p_data"),
])
def test_bad_input_names_the_argument(call, arg):
    with pytest.raises(ValueError, match=f"Invalid value for argument `{arg}`"):
        call()
