"""stylegan_edu.augment (DiffAugment) against numpy references, and the trainer's ``augment`` option."""

import keras
import numpy as np
import pytest

from stylegan_edu import augment


def _numpy_shift(x, dy, dx):
    """Shift (H, W, C) by (dy, dx) whole pixels, filling with -1 (an independent reference)."""
    out = np.full_like(x, -1.0)
    h, w = x.shape[:2]
    src = x[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out


def test_translation_is_a_whole_pixel_shift_with_background_fill():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    y = np.asarray(augment.random_translation(x, ratio=0.125, seed=keras.random.SeedGenerator(5)))
    for xi, yi in zip(x, y):  # find the shift each image got among all allowed ones
        matches = [(dy, dx) for dy in range(-4, 5) for dx in range(-4, 5) if np.allclose(_numpy_shift(xi, dy, dx), yi, atol=1e-6)]
        assert len(matches) == 1, matches
    shifts = {tuple(np.argwhere(yi[..., 0] != -1).min(axis=0)) for yi in y}
    assert len(shifts) > 1  # each image gets its own offset


def test_translation_by_zero_ratio_is_the_identity_and_cutout_blanks_one_square():
    x = np.random.default_rng(1).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(augment.random_translation(x, ratio=0.0, seed=0)), x, atol=1e-6)
    y = np.asarray(augment.random_cutout(np.ones((32, 28, 28, 1), "float32"), ratio=0.5, seed=keras.random.SeedGenerator(2)))
    for yi in y:
        rows, cols = np.nonzero(yi[..., 0] == 0)
        assert rows.max() - rows.min() + 1 <= 14 and cols.max() - cols.min() + 1 <= 14  # one square, at most 14 x 14
        assert len(rows) == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)  # filled: a rectangle
        assert set(np.unique(yi)) <= {0.0, 1.0}
    areas = np.array([(yi == 0).sum() for yi in y])
    assert areas.max() == 196 and areas.min() >= 49  # 14 x 14 inside; a centre on the border still cuts a 7 x 7 corner


def test_diff_augment_passes_gradients_to_the_images():
    import tensorflow as tf

    x = tf.Variable(np.random.default_rng(2).uniform(-1, 1, (3, 28, 28, 1)).astype("float32"))
    with tf.GradientTape() as tape:
        y = augment.diff_augment(x, "translation,cutout", seed=keras.random.SeedGenerator(0))
        loss = tf.reduce_sum(y)
    g = tape.gradient(loss, x).numpy()
    assert set(np.unique(g)) <= {0.0, 1.0} and g.sum() > 0.4 * g.size  # 1 where a pixel survives, 0 where cut or shifted out


@pytest.mark.parametrize("policy, message", [("colour", "Expected comma-separated names"),
                                             ("translation,translation", "Expected comma-separated names"),
                                             (3, "Expected a string")])
def test_unknown_policies_are_rejected(policy, message):
    with pytest.raises(ValueError, match=message):
        augment.parse_policy(policy)
    from stylegan_edu.training import TrainConfig

    with pytest.raises(ValueError, match="augment"):
        TrainConfig(augment=policy)


def test_trainer_augments_both_inputs_of_the_discriminator_and_trains():
    from stylegan_edu.gan import make_gan
    from stylegan_edu.training import TrainConfig

    seen = []
    gan = make_gan(TrainConfig(batch_size=8, epochs=1, augment="translation,cutout"))
    inner = gan.discriminator.call

    def spy(x, *args, **kwargs):
        seen.append(np.asarray(x))
        return inner(x, *args, **kwargs)

    gan.discriminator.call = spy
    real = -np.ones((8, 28, 28, 1), "float32")  # blank digits: a cutout square (0) shows
    gan.discriminator_loss_on_batch(real)
    assert (seen[0] == 0).any() and not (real == 0).any()  # the real batch was augmented
    gan.discriminator.call = inner
    history = gan.fit(np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1)).astype("float32"), verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())


def _small_stylegan(augment):
    from stylegan_edu.models import MappingConfig, StyleGANDiscriminatorConfig, StyleGANGeneratorConfig, SynthesisConfig
    from stylegan_edu.stylegan import StyleGANConfig, make_stylegan
    from stylegan_edu.training import TrainConfig

    small = StyleGANConfig(
        generator=StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
                                          SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)),
        discriminator=StyleGANDiscriminatorConfig(channels=(8, 8, 8, 8), seed=1))
    return make_stylegan(TrainConfig(batch_size=4, epochs=1, augment=augment, r1_weight=0.1, r1_interval=2), small)


@pytest.mark.parametrize("policy", ["cutout", ""])
def test_stylegan_trainer_augments_every_discriminator_input_when_asked(policy):
    # Cutout at ratio 0.5 on 32 x 32 sets at least an 8 x 8 corner of a 16 x 16 square to exactly 0 in every image;
    # blank reals (-1) and the generator's outputs have no exact zeros of their own.
    sg = _small_stylegan(policy)
    seen, inner = [], sg.discriminator.call

    def spy(x, *args, **kwargs):
        seen.append(np.asarray(x))
        return inner(x, *args, **kwargs)

    sg.discriminator.call = spy
    real = -np.ones((4, 32, 32, 1), "float32")
    sg.discriminator_loss_on_batch(real)  # D on the reals, then on the fakes
    sg.generator_loss_on_batch(real)  # D on fresh fakes
    sg.discriminator.call = inner
    assert len(seen) == 3
    zeros = [(x == 0).reshape(len(x), -1).sum(axis=1) for x in seen]  # per image
    if policy:
        assert all((z >= 64).all() for z in zeros), [z.tolist() for z in zeros]
    else:
        assert all((z == 0).all() for z in zeros) and (seen[0] == real).all()
        return  # training without augmentation: tests/test_stylegan_training.py
    history = sg.fit(np.random.default_rng(0).uniform(-1, 1, (8, 32, 32, 1)).astype("float32"), verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())  # the augmented step trains
