"""The mode-collapse toy (chapter 8): the ring, the mode metrics on hand-made samples, the toy GAN, the experiment."""

import math

import numpy as np
import pytest

from stylegan_edu import mode_coverage as mc

CENTERS = mc.ring_centers(8, radius=2.0)
STD = 0.05  # radius 3 sigma = 0.15


def _on(mode, n, offset=(0.0, 0.0)):
    """n points at CENTERS[mode] + offset."""
    return np.tile(CENTERS[mode] + np.asarray(offset, np.float64), (n, 1))


# ---------------------------------------------------------------- the ring


def test_ring_centers_are_on_the_circle_evenly_spaced():
    c = mc.ring_centers(8, radius=2.0)
    assert c.shape == (8, 2) and c.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0, rtol=1e-6)
    angles = np.mod(np.arctan2(c[:, 1], c[:, 0]), 2 * np.pi)
    np.testing.assert_allclose(angles, 2 * np.pi * np.arange(8) / 8, atol=1e-6)
    # neighbours are 2 r sin(pi / K) apart
    np.testing.assert_allclose(np.linalg.norm(c - np.roll(c, 1, axis=0), axis=1), 4 * math.sin(math.pi / 8), rtol=1e-6)
    assert mc.ring_centers(1, radius=3.0).tolist() == [[3.0, 0.0]]


def test_ring_of_gaussians_statistics():
    x = mc.ring_of_gaussians(80_000, num_modes=8, radius=2.0, std=0.05, seed=3)
    assert x.shape == (80_000, 2) and x.dtype == np.float32
    nearest = np.argmin(((x[:, None] - CENTERS[None]) ** 2).sum(-1), axis=1)
    counts = np.bincount(nearest, minlength=8)
    assert np.all(np.abs(counts / len(x) - 1 / 8) < 0.01)  # equal weights (binomial sd 0.0012)
    for k in range(8):
        part = x[nearest == k].astype(np.float64)
        np.testing.assert_allclose(part.mean(0), CENTERS[k], atol=0.003)  # sd of a mean: 0.05 / 100
        np.testing.assert_allclose(part.std(0), 0.05, rtol=0.03)
    # the share within 3 sigma of its centre is P(chi^2_2 <= 9) = 1 - exp(-4.5)
    m = mc.mode_metrics(x, CENTERS, std=0.05)
    assert m["modes_covered"] == 8
    assert m["high_quality_share"] == pytest.approx(1 - math.exp(-4.5), abs=0.002)


def test_ring_of_gaussians_is_seeded():
    a, b = mc.ring_of_gaussians(100, seed=1), mc.ring_of_gaussians(100, seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, mc.ring_of_gaussians(100, seed=2))


# ----------------------------------------------------- the metrics, by hand


def test_all_points_on_one_centre_cover_one_mode_with_full_quality():
    m = mc.mode_metrics(_on(3, 500), CENTERS, std=STD)
    assert m["modes_covered"] == 1
    assert m["high_quality_share"] == 1.0
    assert m["mode_shares"].tolist() == [0, 0, 0, 1.0, 0, 0, 0, 0]


def test_points_far_from_every_mode_cover_nothing():
    far = np.concatenate([np.zeros((50, 2)), np.full((50, 2), 10.0), CENTERS * 1.5])  # the origin, far away, outside the ring
    m = mc.mode_metrics(far, CENTERS, std=STD)
    assert m["modes_covered"] == 0 and m["high_quality_share"] == 0.0 and not m["mode_shares"].any()


def test_one_point_per_mode_covers_all():
    m = mc.mode_metrics(CENTERS, CENTERS, std=STD)
    assert m["modes_covered"] == 8 and m["high_quality_share"] == 1.0
    np.testing.assert_allclose(m["mode_shares"], 1 / 8)


def test_exactly_at_the_threshold_counts_and_just_beyond_does_not():
    radius = 3 * STD
    for direction in ((1.0, 0.0), (0.0, 1.0), (0.6, 0.8)):  # the last: a 3-4-5 triangle, not on an axis
        d = np.asarray(direction)
        at = mc.mode_metrics(_on(0, 1, radius * d), CENTERS, std=STD)
        assert at["modes_covered"] == 1 and at["high_quality_share"] == 1.0, direction
        beyond = mc.mode_metrics(_on(0, 1, radius * 1.001 * d), CENTERS, std=STD)
        assert beyond["modes_covered"] == 0 and beyond["high_quality_share"] == 0.0, direction
    # the threshold is in units of sigma
    two_sigma = _on(0, 1, (2.5 * STD, 0.0))
    assert mc.mode_metrics(two_sigma, CENTERS, std=STD, threshold=3.0)["modes_covered"] == 1
    assert mc.mode_metrics(two_sigma, CENTERS, std=STD, threshold=2.0)["modes_covered"] == 0


def test_the_one_percent_rule():
    # 1,000 samples: 990 on mode 0, 10 (exactly 1%) on mode 1 -> both count; 9 (0.9%) on mode 2 would not
    x = np.concatenate([_on(0, 990), _on(1, 10)])
    m = mc.mode_metrics(x, CENTERS, std=STD)
    assert m["modes_covered"] == 2 and m["mode_shares"][1] == pytest.approx(0.01)
    x = np.concatenate([_on(0, 991), _on(2, 9)])
    m = mc.mode_metrics(x, CENTERS, std=STD)
    assert m["modes_covered"] == 1 and m["high_quality_share"] == 1.0  # the 9 are good samples of an uncounted mode
    assert mc.mode_metrics(x, CENTERS, std=STD, min_share=0.009)["modes_covered"] == 2


def test_high_quality_share_is_the_sum_of_mode_shares_on_the_ring():
    rng = np.random.default_rng(0)
    x = np.concatenate([_on(1, 30, (0.1, 0.0)), _on(5, 20), rng.uniform(-3, 3, (50, 2))])
    m = mc.mode_metrics(x, CENTERS, std=STD)
    brute = np.array([[np.hypot(*(p - c)) <= 3 * STD for c in CENTERS] for p in x])
    np.testing.assert_allclose(m["mode_shares"], brute.mean(0))
    assert m["high_quality_share"] == pytest.approx(brute.any(1).mean())
    assert m["high_quality_share"] == pytest.approx(m["mode_shares"].sum())  # modes 1.53 apart: no point counts twice


def test_a_collapsed_generator_and_a_blurry_one():
    """The two failures the two numbers separate: few modes and sharp, or all modes and blurry."""
    rng = np.random.default_rng(1)
    collapsed = np.concatenate([_on(0, 1) + STD * rng.standard_normal((500, 2)), _on(4, 1) + STD * rng.standard_normal((500, 2))])
    blurry = mc.ring_of_gaussians(4000, std=0.2, seed=0)  # 1 - exp(-(0.15 / 0.2)^2 / 2) = 24.5% within 3 sigma_data
    c, b = mc.mode_metrics(collapsed, CENTERS, std=STD), mc.mode_metrics(blurry, CENTERS, std=STD)
    assert c["modes_covered"] == 2 and c["high_quality_share"] > 0.97
    assert b["modes_covered"] == 8 and 0.2 < b["high_quality_share"] < 0.3


def test_large_inputs_are_chunked_correctly():
    x = np.concatenate([_on(2, 70_000), np.full((70_000, 2), 9.0)])
    m = mc.mode_metrics(x, CENTERS, std=STD)
    assert m["modes_covered"] == 1 and m["high_quality_share"] == 0.5


@pytest.mark.parametrize("call, arg", [
    (lambda: mc.mode_metrics(np.zeros((4, 3)), CENTERS, STD), "samples"),
    (lambda: mc.mode_metrics(np.zeros(4), CENTERS, STD), "samples"),
    (lambda: mc.mode_metrics(np.zeros((0, 2)), CENTERS, STD), "samples"),
    (lambda: mc.mode_metrics(np.full((4, 2), np.nan), CENTERS, STD), "samples"),
    (lambda: mc.mode_metrics(np.zeros((4, 2)), CENTERS[:, :1], STD), "centers"),
    (lambda: mc.mode_metrics(np.zeros((4, 2)), CENTERS, 0.0), "std"),
    (lambda: mc.mode_metrics(np.zeros((4, 2)), CENTERS, -0.1), "std"),
    (lambda: mc.mode_metrics(np.zeros((4, 2)), CENTERS, STD, threshold=0.0), "threshold"),
    (lambda: mc.mode_metrics(np.zeros((4, 2)), CENTERS, STD, min_share=0.0), "min_share"),
    (lambda: mc.mode_metrics(np.zeros((4, 2)), CENTERS, STD, min_share=1.5), "min_share"),
    (lambda: mc.ring_centers(0), "num_modes"),
    (lambda: mc.ring_centers(8, radius=0.0), "radius"),
    (lambda: mc.ring_of_gaussians(0), "num_samples"),
    (lambda: mc.ring_of_gaussians(10, num_modes=0), "num_modes"),
    (lambda: mc.ring_of_gaussians(10, std=0.0), "std"),
    (lambda: mc.ring_of_gaussians(10, std=-1.0), "std"),
    (lambda: mc.ring_of_gaussians(10, seed=-1), "seed"),
    (lambda: mc.ToyGANConfig(depth=0), "depth"),
    (lambda: mc.ToyGANConfig(spectral_norm="yes"), "spectral_norm"),
    (lambda: mc.run_mode_experiment(steps=10, num_snapshots=3), "steps"),
    (lambda: mc.run_mode_experiment({"x": {"nope": 1}}), "recipes"),
    (lambda: mc.run_mode_experiment({"x": {"seed": 1}}), "recipes"),
    (lambda: mc.run_mode_experiment(seeds=(0, 0)), "seeds"),
])
def test_bad_input_names_the_argument(call, arg):
    with pytest.raises(ValueError, match=rf"Invalid value for argument `{arg}`\. Expected .* Received: "):
        call()


# ------------------------------------------------------- the toy GAN, trained


def test_toy_models_shapes_and_options():
    import keras

    g, d = mc.make_toy_models(mc.ToyGANConfig(latent_dim=3, width=8, depth=2, spectral_norm=True, minibatch_std=True))
    assert g.input_shape == (None, 3) and g.output_shape == (None, 2) and d.output_shape == (None, 1)
    assert sum(isinstance(layer, keras.layers.SpectralNormalization) for layer in d.layers) == 3
    assert np.asarray(d(np.zeros((5, 2), "float32"))).shape == (5, 1)
    # minibatch stddev: the same point repeated and a spread batch give different logits for that point
    same = np.asarray(d(np.zeros((4, 2), "float32")))[0, 0]
    spread = np.asarray(d(np.array([[0.0, 0.0], [2, 0], [0, 2], [-2, 0]], "float32")))[0, 0]
    assert same != spread


def test_toy_gan_trains_a_few_steps_with_finite_losses():
    from stylegan_edu.training import TrainConfig

    gan = mc.make_toy_gan(mc.ToyGANConfig(width=16, depth=2), TrainConfig(epochs=2, batch_size=32, r1_weight=0.1, seed=0))
    history = gan.fit(mc.ring_of_gaussians(160), verbose=0)
    assert gan.state.epochs_done == 2
    for key in ("d_loss", "g_loss", "r1"):
        assert np.all(np.isfinite(history.history[key])), key
    assert gan.latent_dim == 64 and gan.generate(np.zeros((3, 64), "float32")).shape == (3, 2)
    with pytest.raises(ValueError, match="`x`"):
        gan.fit(np.zeros((64, 3), "float32"), verbose=0)


def test_run_mode_experiment_smoke():
    from stylegan_edu.training import TrainConfig

    result = mc.run_mode_experiment({"plain": {}, "SN": {"spectral_norm": True}}, seeds=(0, 1), steps=6, num_snapshots=2,
                                    num_samples=50, model_config=mc.ToyGANConfig(width=8, depth=1),
                                    train_config=TrainConfig(batch_size=16))
    assert result.steps == [0, 3, 6]
    assert [(r["recipe"], r["seed"]) for r in result.rows] == [("plain", 0), ("plain", 1), ("SN", 0), ("SN", 1)]
    for key, points in result.samples.items():
        assert points.shape == (3, 50, 2) and np.all(np.isfinite(points)), key
    row = result.row("SN", 1)
    assert len(row["modes_over_training"]) == 3 and 0 <= row["modes_covered"] <= 8
    assert row["modes_covered"] == mc.mode_metrics(result.samples[("SN", 1)][-1], result.centers, result.std)["modes_covered"]
    # the same seed gives the same untrained generator in both recipes? No: SN changes D only, so G's start is equal
    np.testing.assert_allclose(result.samples[("plain", 0)][0], result.samples[("SN", 0)][0], rtol=1e-6)
    table = mc.metrics_table(result)
    assert table.count("\n") == 2 + 4 + 2 - 1 and "| SN | mean |" in table


def test_plot_samples_over_training():
    import matplotlib

    matplotlib.use("Agg")
    from stylegan_edu.viz import plot_samples_over_training

    pts = np.zeros((2, 5, 2))
    fig = plot_samples_over_training({"a": pts, ("b", 1): pts}, steps=[0, 10], centers=CENTERS, std=STD)
    assert len(fig.axes) == 4 and fig.axes[2].get_ylabel() == "b, seed 1"
    with pytest.raises(ValueError, match="`steps`"):
        plot_samples_over_training({"a": pts}, steps=[0])
    with pytest.raises(ValueError, match="`samples`"):
        plot_samples_over_training({"a": pts, "b": np.zeros((3, 5, 2))}, steps=[0, 1])
