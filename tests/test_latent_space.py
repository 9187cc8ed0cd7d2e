"""The latent-space tools of chapter 13 against independent references (numpy, closed forms, mix_styles)."""

import numpy as np
import pytest

from stylegan_edu import latent_space, metrics
from stylegan_edu.features import penultimate_features
from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig
from stylegan_edu.stylegan import mix_styles


@pytest.fixture(scope="module")
def generator():
    g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
                                                  SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    g.build()
    for layer in g.synthesis.noises:  # a new generator's noise strengths are 0; give the noise an effect
        layer.noise_scale.assign(np.full(layer.noise_scale.shape, 0.5, "float32"))
    return g


@pytest.mark.parametrize("k", [0, 1, 3, 8])
def test_a_prefix_swap_is_mix_styles(k):
    rng = np.random.default_rng(k)
    w_a, w_b = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    swapped = np.asarray(latent_space.swap_styles(w_a, w_b, list(range(k)), 8))
    np.testing.assert_allclose(swapped, np.asarray(mix_styles(w_b, w_a, k, 8)), atol=0)


def test_swap_styles_reaches_exactly_the_chosen_layers(generator):
    rng = np.random.default_rng(1)
    w_a, w_b = rng.normal(size=(2, 8)).astype("float32"), rng.normal(size=(2, 8)).astype("float32")
    ws = latent_space.swap_styles(w_a, w_b, [0, 5], generator.num_ws)
    styles = generator.synthesis.styles(ws)
    styles_a = generator.synthesis.styles(generator.broadcast(w_a))
    styles_b = generator.synthesis.styles(generator.broadcast(w_b))
    for w_index, name, _ in generator.synthesis.style_layers():
        want = styles_b[name] if w_index in (0, 5) else styles_a[name]
        np.testing.assert_allclose(np.asarray(styles[name]), np.asarray(want), atol=1e-6, err_msg=name)


def test_noise_images_are_seeded_and_shaped(generator):
    a, b, c = (latent_space.noise_images(generator, 2, s) for s in (0, 0, 1))
    assert [x.shape[1] for x in a] == [r for r, _ in generator.synthesis.noise_shapes()]
    assert all(np.array_equal(x, y) for x, y in zip(a, b)) and not any(np.array_equal(x, y) for x, y in zip(a, c))
    ws = np.asarray(generator.broadcast(generator.mapping(np.zeros((2, 8), "float32"))))
    same = [np.asarray(generator.synthesize(ws, noise=n)) for n in (a, b, c)]
    assert np.array_equal(same[0], same[1]) and np.abs(same[0] - same[2]).max() > 1e-4


def test_slerp_closed_forms():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    an, bn = a / np.linalg.norm(a, axis=1, keepdims=True), b / np.linalg.norm(b, axis=1, keepdims=True)
    np.testing.assert_allclose(latent_space.slerp(a, b, 0.0), an, atol=1e-12)
    np.testing.assert_allclose(latent_space.slerp(a, b, 1.0), bn, atol=1e-12)
    t = rng.uniform(size=4)
    p = latent_space.slerp(a, b, t)
    angle = lambda x, y: np.arccos(np.clip(np.sum(x * y, 1), -1, 1))  # noqa: E731
    omega = angle(an, bn)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-12)  # on the sphere
    np.testing.assert_allclose(angle(an, p), t * omega, atol=1e-9)  # constant angular speed
    np.testing.assert_allclose(angle(p, bn), (1 - t) * omega, atol=1e-9)


def test_perceptual_path_length_matches_a_literal_loop(generator):
    ppl = latent_space.perceptual_path_length(generator, "w", num_samples=6, epsilon=1e-2, seed=3, batch_size=4)
    rng = np.random.default_rng(3)
    z1, z2 = rng.standard_normal((6, 8)), rng.standard_normal((6, 8))
    t = rng.uniform(0, 1 - 1e-2, 6)
    want = []
    for i in range(6):
        w1, w2 = (np.asarray(generator.mapping(z[i:i + 1].astype("float32")), np.float64) for z in (z1, z2))
        pts = [w1 + s * (w2 - w1) for s in (t[i], t[i] + 1e-2)]
        imgs = [np.asarray(generator.synthesize(generator.broadcast(p.astype("float32")), noise="const"))[:, 2:30, 2:30] for p in pts]
        f = [penultimate_features(np.clip(x, -1, 1), "fashion_mnist").astype(np.float64) for x in imgs]
        want.append(np.sum((f[0] - f[1]) ** 2) / 1e-4)
    np.testing.assert_allclose(ppl["values"], want, rtol=2e-3)
    assert ppl["median"] == pytest.approx(np.median(want), rel=2e-3)


def test_feature_diversity_matches_numpy():
    images = np.random.default_rng(0).uniform(-1, 1, (6, 28, 28, 1)).astype("float32")
    f = penultimate_features(images, "fashion_mnist").astype(np.float64)
    rng = np.random.default_rng(5)
    i = rng.integers(0, 6, 50)
    j = (i + rng.integers(1, 6, 50)) % 6
    assert latent_space.feature_diversity(images, num_pairs=50, seed=5) == pytest.approx(np.linalg.norm(f[i] - f[j], axis=1).mean())
    assert latent_space.feature_diversity(np.repeat(images[:1], 4, 0)) == 0.0


def test_generated_classes_agree_with_the_feature_net(generator):
    from stylegan_edu import pretrained

    z = np.random.default_rng(2).standard_normal((5, 8)).astype("float32")
    images, labels, confidence = latent_space.generated_classes(generator, z=z, batch_size=2)
    want = np.asarray(generator(z, noise="const"))[:, 2:30, 2:30]
    # batches of 2 against one batch of 5: oneDNN may sum in another order (seen: 1.07e-6 apart); a wrong crop or
    # noise mode would be off by 0.1 or more
    np.testing.assert_allclose(images, np.clip(want, -1, 1), atol=1e-5)
    logits = np.asarray(pretrained.feature_net("fashion_mnist")(images), np.float64)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_array_equal(labels, p.argmax(1))
    np.testing.assert_allclose(confidence, p.max(1), rtol=1e-6)


def test_sample_quality_agrees_with_fid_kid_and_the_classes():
    from stylegan_edu.data import FASHION_MNIST_CLASSES

    images = np.clip(np.random.default_rng(1).normal(-0.5, 0.6, (300, 28, 28, 1)), -1, 1).astype("float32")
    q = metrics.sample_quality(images)
    assert q["fid"] == pytest.approx(metrics.fid(images, dataset="fashion_mnist"), rel=1e-9)
    assert q["kid"] == pytest.approx(metrics.kid(images, dataset="fashion_mnist"), rel=1e-9)
    labels, confidence = metrics.predicted_classes(images)
    counts = np.bincount(labels, minlength=10)
    assert q["class_shares"] == {n: c / 300 for n, c in zip(FASHION_MNIST_CLASSES, counts)}
    assert q["mean_confidence"] == pytest.approx(confidence.mean()) and q["num_samples"] == 300
    with pytest.warns(UserWarning, match="small-sample bias"):
        metrics.sample_quality(images[:50])


def test_time_budget_counts_the_time_already_used():
    from stylegan_edu.callbacks import TimeBudget
    from stylegan_edu.gan import make_gan
    from stylegan_edu.training import TrainConfig

    gan = make_gan(TrainConfig(epochs=2, batch_size=8))
    budget = TimeBudget(3600.0, already=3600.0)  # the whole hour was used before the resume
    gan.fit(np.zeros((32, 28, 28, 1), "float32"), callbacks=[budget], verbose=0)
    assert budget.stopped and int(gan.g_optimizer.iterations) == 0  # spent before it began: not even one step
    almost = TimeBudget(3600.0, already=3599.999)
    gan.fit(np.zeros((32, 28, 28, 1), "float32"), callbacks=[almost], verbose=0)
    assert almost.stopped and int(gan.g_optimizer.iterations) == 1  # the step that crosses the budget finishes
    roomy = TimeBudget(3600.0)
    gan.fit(np.zeros((32, 28, 28, 1), "float32"), epochs=3, callbacks=[roomy], verbose=0)
    assert not roomy.stopped and 0 < roomy.elapsed < 3600


def test_within_class_diversity_matches_all_pairs():
    images = np.random.default_rng(3).uniform(-1, 1, (12, 28, 28, 1)).astype("float32")
    labels = np.repeat([0, 1], 6)
    f = penultimate_features(images, "fashion_mnist").astype(np.float64)
    exact = np.mean([np.linalg.norm(f[i] - f[j]) for i in range(12) for j in range(12) if i != j and labels[i] == labels[j]])
    got = latent_space.feature_diversity(images, num_pairs=20_000, labels=labels)
    assert got == pytest.approx(exact, rel=0.02)
    with pytest.raises(ValueError, match="labels"):
        latent_space.feature_diversity(images, labels=np.arange(12))  # every label held once
    with pytest.raises(ValueError, match="labels"):
        latent_space.feature_diversity(images, labels=np.zeros(5, int))


def test_time_budget_records_the_time_used_for_a_resume(tmp_path):
    from stylegan_edu.callbacks import TimeBudget
    from stylegan_edu.gan import make_gan
    from stylegan_edu.training import TrainConfig

    record = tmp_path / "run" / "train_seconds.json"
    assert TimeBudget.recorded(record) == 0.0  # nothing recorded yet
    budget = TimeBudget(3600.0, already=100.0, record=record)
    make_gan(TrainConfig(epochs=2, batch_size=8)).fit(np.zeros((16, 28, 28, 1), "float32"), callbacks=[budget], verbose=0)
    assert 100.0 < TimeBudget.recorded(record) <= budget.elapsed
