"""Chapter 13's trainer: StyleGAN on the two-player trainer (mixing, w-bar, EMA, lazy R1, exact resume)."""

import dataclasses

import keras
import numpy as np
import pytest

from stylegan_edu import callbacks as cbs
from stylegan_edu.models import MappingConfig, StyleGANDiscriminatorConfig, StyleGANGeneratorConfig, SynthesisConfig
from stylegan_edu.stylegan import StyleGAN, StyleGANConfig, crop_to_28, make_stylegan, pad_to_32, train_stylegan
from stylegan_edu.training import TrainConfig

SMALL = StyleGANConfig(
    generator=StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2),
                                      SynthesisConfig(channels=(8, 8, 4, 4), w_dim=8)),
    discriminator=StyleGANDiscriminatorConfig(channels=(8, 8, 4, 4)))
CONFIG = TrainConfig(epochs=1, batch_size=8, learning_rate=2e-3, beta_1=0.0, beta_2=0.99, ema_decay=0.9, r1_weight=1.0,
                     r1_interval=2, mixed_precision="off")


def _images(n=32, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:32, 0:32]
    c = rng.uniform(10, 22, (2, n, 1, 1))
    blob = np.exp(-((yy - c[0]) ** 2 + (xx - c[1]) ** 2) / 30.0)
    return (2 * blob - 1).astype(np.float32)[..., None]  # (n, 32, 32, 1)


def _state(sg):
    from stylegan_edu.checkpoints import state_variables

    return {name: np.array(v.numpy()) for name, v in state_variables(sg)}


def test_a_few_steps_change_the_weights_keep_losses_finite_and_move_w_bar_and_ema():
    sg = make_stylegan(CONFIG, SMALL)
    before = _state(sg)
    history = sg.fit(_images(32), epochs=2, verbose=0)  # 8 steps
    after = _state(sg)
    for group in ("generator", "discriminator", "ema_generator"):
        names = [n for n in before if n.startswith(group + "/")]
        assert names and any(not np.array_equal(before[n], after[n]) for n in names), group
    for key in ("d_loss", "g_loss", "d_real", "d_fake", "r1"):
        assert np.all(np.isfinite(history.history[key])), key
    assert history.history["r1"][0] > 0
    assert np.abs(sg.generator.w_avg.numpy()).max() > 0  # w-bar moved from 0
    np.testing.assert_array_equal(sg.ema_generator.w_avg.numpy(), sg.generator.w_avg.numpy())  # copied, not averaged
    ema = [v.numpy() for v in sg.ema_generator.trainable_variables]
    assert any(not np.allclose(a, v.numpy()) for a, v in zip(ema, sg.generator.trainable_variables))


def test_w_bar_update_follows_its_formula():
    sg = make_stylegan(CONFIG, SMALL)
    sg.generator.w_avg.assign(np.linspace(-1, 1, 8).astype(np.float32))
    old = sg.generator.w_avg.numpy().copy()
    state = sg.rng.state.numpy().copy()
    sg.sample_ws(6, update_w_avg=True)
    sg.rng.state.assign(state)  # replay the same draws
    z = keras.random.normal((12, 8), seed=sg.rng)
    w1 = np.asarray(sg.generator.mapping(z[:6]))
    np.testing.assert_allclose(sg.generator.w_avg.numpy(), old + (1 - 0.995) * (w1.mean(0) - old), atol=1e-6)


@pytest.mark.parametrize("prob", [0.0, 1.0])
def test_style_mixing_probability(prob):
    sg = make_stylegan(CONFIG, dataclasses.replace(SMALL, style_mixing_prob=prob))
    ws = np.asarray(sg.sample_ws(64))  # (64, 8, 8)
    same_as_first = np.all(np.isclose(ws, ws[:, :1]), axis=2)  # (64, 8): layer reads the first layer's w
    if prob == 0.0:
        assert same_as_first.all()
    else:
        k = same_as_first.sum(1)  # the crossover: layers before it read w1, the rest w2
        assert np.all((1 <= k) & (k <= 7))
        assert np.all(same_as_first == (np.arange(8)[None] < k[:, None]))
        assert len(set(k.tolist())) > 3  # random per sample


@pytest.fixture(scope="module")
def one_checkpointed_epoch(tmp_path_factory):
    """A trainer after one epoch on 16 images, and the folder its checkpoint went to (a training step takes
    about 20 s to trace here, so the tests that only need a checkpoint share this one)."""
    folder = tmp_path_factory.mktemp("stylegan_checkpoint")
    first = make_stylegan(CONFIG, SMALL)
    first.fit(_images(16), epochs=1, callbacks=[cbs.Checkpoint(folder)], verbose=0)
    return first, folder


def test_ema_and_w_bar_survive_resume_exactly(one_checkpointed_epoch):
    """Every checkpointed array, EMA generator and w-bar included, comes back bit for bit (continuing exactly
    from a restored state is tested for the trainer in test_resume.py and test_training.py)."""
    x = _images(16)
    first, tmp_path = one_checkpointed_epoch
    saved = _state(first)
    resumed = make_stylegan(CONFIG, SMALL)  # fresh weights, w-bar 0: everything must come from the file
    assert not np.array_equal(resumed.generator.w_avg.numpy(), first.generator.w_avg.numpy())
    resumed.fit(x, epochs=1, callbacks=[cbs.Checkpoint(tmp_path)], resume=True, verbose=0)  # restores, nothing to do
    restored = _state(resumed)
    assert len(saved) == len(restored)
    names = list(saved)
    assert any(n.startswith("ema_generator/") for n in names) and sum("w_avg" in n for n in names) == 2  # G and EMA
    for (name, a), b in zip(saved.items(), restored.values()):  # same order; optimizer names differ per process
        np.testing.assert_array_equal(a, b, err_msg=name)
    np.testing.assert_array_equal(resumed.ema_generator.w_avg.numpy(), first.ema_generator.w_avg.numpy())
    assert resumed.state.epochs_done == 1 and resumed.state.history == first.state.history


def test_resuming_with_a_different_config_says_what_differs(one_checkpointed_epoch):
    x = _images(16)
    _, tmp_path = one_checkpointed_epoch  # a checkpoint of CONFIG and SMALL
    other = make_stylegan(dataclasses.replace(CONFIG, r1_weight=0.5), dataclasses.replace(SMALL, style_mixing_prob=0.5))
    with pytest.raises(ValueError, match="Invalid value for argument `resume`") as info:
        other.fit(x, epochs=2, callbacks=[cbs.Checkpoint(tmp_path)], resume=True, verbose=0)
    message = str(info.value)
    assert "stylegan.style_mixing_prob: 0.9 (checkpoint) -> 0.5 (now)" in message
    assert "train.r1_weight: 1.0 (checkpoint) -> 0.5 (now)" in message


def test_generate_truncation_and_bad_inputs():
    sg = make_stylegan(CONFIG, SMALL)
    z = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    x = sg.generate(z, truncation_psi=0.0, noise="const")
    assert x.shape == (3, 32, 32, 1) and np.abs(x - x[:1]).max() < 1e-6  # up to float rounding across the batch
    with pytest.raises(ValueError, match="Invalid value for argument `truncation_psi`"):
        sg.generate(z, truncation_psi=2.0)
    with pytest.raises(ValueError, match="Invalid value for argument `x`.*shape \\(N, 32, 32, 1\\)"):
        sg.fit(np.zeros((8, 28, 28, 1), np.float32), verbose=0)
    with pytest.raises(ValueError, match="Invalid value for argument `generator`. Expected a StyleGANGenerator"):
        StyleGAN(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)]), sg.discriminator)
    with pytest.raises(ValueError, match="Invalid value for argument `discriminator`. Expected image_size=32"):
        StyleGANConfig(discriminator=StyleGANDiscriminatorConfig(image_size=16, channels=(8, 8, 8)))


def test_padding_and_cropping():
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    x = pad_to_32(images)
    assert x.shape == (5, 32, 32, 1) and x.dtype == np.float32
    np.testing.assert_allclose(crop_to_28(x)[..., 0], images / 127.5 - 1, atol=1e-6)
    assert np.all(x[:, :2] == -1) and np.all(x[:, :, -2:] == -1)
    with pytest.raises(ValueError, match="Invalid value for argument `images`"):
        pad_to_32(np.zeros((2, 32, 32), np.uint8))


def test_train_stylegan_writes_a_run_and_measures_quality(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (32, 28, 28), dtype=np.uint8)
    sg = train_stylegan(tmp_path, config=CONFIG, stylegan_config=SMALL, images=images, quality_every=1,
                        quality_num_samples=16, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoints", "config.json", "history.json", "progress.gif", "samples"]
    h = sg.state.history[0]
    assert h["fid"] > 0 and np.isfinite(h["kid"])
