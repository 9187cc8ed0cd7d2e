"""The two-player trainer with gan.GAN, TrainConfig and make_gan: the step against a hand-written reference, data checks, options."""

import dataclasses
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from stylegan_edu import losses
from stylegan_edu.gan import GAN, GANLossConfig, feature_statistics_loss, make_gan
from stylegan_edu.pipeline import epoch_batches
from stylegan_edu.training import TrainConfig, learning_rate_at, make_optimizers, resolve_mixed_precision
from tests._gan_fixtures import LATENT, all_weights, tiny_gan, tiny_images, tiny_models


def test_a_few_steps_change_the_weights_and_losses_stay_finite():
    gan = tiny_gan(schedule="halve_per_epoch")
    before = all_weights(gan)
    history = gan.fit(tiny_images(64), epochs=2, batch_size=16, verbose=0)
    after = all_weights(gan)
    g_vars = len(gan.generator.variables)
    assert any(not np.array_equal(a, b) for a, b in zip(before[:g_vars], after[:g_vars])), "the generator did not change"
    d_end = g_vars + len(gan.discriminator.variables)
    assert any(not np.array_equal(a, b) for a, b in zip(before[g_vars:d_end], after[g_vars:d_end])), "the discriminator did not change"
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert len(history.history[key]) == 2 and np.all(np.isfinite(history.history[key]))
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == 8  # one update of each per step
    assert [r["epoch"] for r in gan.state.history] == [1, 2] and gan.state.epochs_done == 2
    # The article's schedule, applied at the start of each epoch: 2e-4, then 1e-4.
    np.testing.assert_allclose([r["learning_rate"] for r in gan.state.history], [2e-4, 1e-4], rtol=1e-6)


def test_cosine_schedule_follows_the_run_and_its_resume():
    gan = tiny_gan(schedule="cosine", lr=1e-3)
    gan.fit(tiny_images(32), epochs=2, batch_size=16, verbose=0)
    gan.fit(tiny_images(32), epochs=4, batch_size=16, verbose=0, initial_epoch=2)  # the run continues to epoch 4
    expected = [learning_rate_at(k, 1e-3, "cosine", epochs=4) for k in range(4)]
    got = [r["learning_rate"] for r in gan.state.history]
    np.testing.assert_allclose(got[:2], [learning_rate_at(k, 1e-3, "cosine", epochs=2) for k in range(2)], rtol=1e-6)
    np.testing.assert_allclose(got[2:], expected[2:], rtol=1e-6)


def test_train_step_matches_a_hand_written_reference_step():
    """One step of GAN.fit == the algorithm written out: D update on z1, then G update on z2 (plain SGD)."""
    lr, seed = 0.05, 3
    x = tiny_images(16, seed=1)
    G, D = tiny_models(seed, dropout=0.0, batchnorm=False)
    gan = GAN(G, D, seed=seed)
    gan.compile(TrainConfig(), d_optimizer=keras.optimizers.SGD(lr), g_optimizer=keras.optimizers.SGD(lr))
    G_ref, D_ref = tiny_models(seed, dropout=0.0, batchnorm=False)  # same initial weights
    for a, b in zip(G.weights + D.weights, G_ref.weights + D_ref.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    gan.fit(x, epochs=1, batch_size=16, verbose=0)  # exactly one step over all 16 images

    noise = keras.random.SeedGenerator(seed)
    z1 = keras.random.normal((16, LATENT), seed=noise)
    with tf.GradientTape() as tape:
        d_loss = losses.discriminator_loss(D_ref(x, training=True), D_ref(G_ref(z1, training=True), training=True))
    grads = tape.gradient(d_loss, D_ref.trainable_variables)
    for v, g in zip(D_ref.trainable_variables, grads):
        v.assign(v.numpy() - lr * g.numpy())
    z2 = keras.random.normal((16, LATENT), seed=noise)
    with tf.GradientTape() as tape:
        g_loss = losses.generator_loss(D_ref(G_ref(z2, training=True), training=True))
    grads = tape.gradient(g_loss, G_ref.trainable_variables)
    for v, g in zip(G_ref.trainable_variables, grads):
        v.assign(v.numpy() - lr * g.numpy())

    for a, b in zip(G.weights + D.weights, G_ref.weights + D_ref.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
    np.testing.assert_allclose(gan.state.history[0]["d_loss"], float(d_loss), rtol=1e-5)
    np.testing.assert_allclose(gan.state.history[0]["g_loss"], float(g_loss), rtol=1e-5)


@pytest.mark.parametrize(
    "x,message",
    [
        (tiny_images(8) * 127.5 + 127.5, "looks like 0..255"),
        ((tiny_images(8) + 1) / 2 + 0.01, "Expected values in [-1, 1]"),
        (np.zeros((8, 28, 28), np.float32), "shape (N, 28, 28, 1)"),
        (np.zeros((8, 32, 32, 1), np.float32), "shape (N, 28, 28, 1)"),
        (np.zeros((8, 28, 28, 1), np.uint8), "to_unit_range"),
        (np.full((8, 28, 28, 1), np.nan, np.float32), "non-finite"),
        (tf.data.Dataset.from_tensor_slices(np.zeros((8, 28, 28), np.float32)).batch(4), "element_spec"),
        (tf.data.Dataset.from_tensor_slices(np.full((8, 28, 28, 1), 3.0, np.float32)).batch(4), "first batch"),
    ],
    ids=["0..255", "0..1", "no-channel", "32px", "uint8", "nan", "dataset-shape", "dataset-range"],
)
def test_fit_rejects_bad_data_before_the_first_step(x, message):
    gan = tiny_gan()
    before = all_weights(gan)
    with pytest.raises(ValueError, match="Invalid value for argument `x`") as info:
        gan.fit(x, epochs=1, batch_size=4, verbose=0)
    assert message in str(info.value), str(info.value)
    assert int(gan.d_optimizer.iterations) == 0
    for a, b in zip(before, all_weights(gan)):
        np.testing.assert_array_equal(a, b)


def test_fit_accepts_a_dataset_of_batches():
    gan = tiny_gan()
    ds = tf.data.Dataset.from_tensor_slices(tiny_images(32)).batch(8)
    history = gan.fit(ds, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 4 and np.isfinite(history.history["g_loss"][0])


def test_epoch_order_depends_only_on_seed_and_epoch():
    """The batches of epoch 1 are the same whether the run starts at epoch 0 or resumes at 1."""
    x = np.arange(40, dtype=np.float32).reshape(40, 1, 1, 1)
    straight, steps = epoch_batches(x, 8, epochs=3, seed=0, initial_epoch=0)
    resumed, _ = epoch_batches(x, 8, epochs=3, seed=0, initial_epoch=1)
    straight = [b.numpy().ravel() for b in straight]
    resumed = [b.numpy().ravel() for b in resumed]
    assert steps == 5 and len(straight) == 15 and len(resumed) == 10
    for a, b in zip(straight[5:], resumed):
        np.testing.assert_array_equal(a, b)
    first, second = np.concatenate(straight[:5]), np.concatenate(straight[5:10])
    assert sorted(first) == list(range(40)) and not np.array_equal(first, second)  # a permutation, reshuffled per epoch


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"batch_size": 0}, "Invalid value for argument `batch_size`. Expected an integer >= 1. Received: batch_size=0"),
        ({"epochs": 0}, "Invalid value for argument `epochs`. Expected an integer >= 1. Received: epochs=0"),
        ({"schedule": "halve"}, "Expected one of 'constant', 'halve_per_epoch', 'cosine'. Received: schedule='halve'"),
        ({"learning_rate": -1e-4}, "Invalid value for argument `learning_rate`"),
        ({"beta_1": 1.0}, "Invalid value for argument `beta_1`"),
        ({"mixed_precision": "yes"}, "Expected one of 'auto', 'on', 'off'"),
        ({"epochs": 2.5}, "Invalid value for argument `epochs`"),
    ],
)
def test_train_config_rejects_invalid_values(kwargs, message):
    with pytest.raises(ValueError) as info:
        TrainConfig(**kwargs)
    assert message in str(info.value)


def test_train_config_is_frozen_with_the_articles_optimizer_settings():
    config = TrainConfig()
    assert (config.learning_rate, config.beta_1, config.schedule) == (2e-4, 0.5, "constant")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3


def test_learning_rate_schedules():
    assert [learning_rate_at(k, 2e-4, "halve_per_epoch") for k in (0, 1, 10)] == pytest.approx([2e-4, 1e-4, 2e-4 / 1024])
    assert learning_rate_at(10, 2e-4, "constant") == 2e-4
    cosine = [learning_rate_at(k, 1e-3, "cosine", epochs=10) for k in range(10)]
    assert cosine[0] == 1e-3 and cosine[5] == pytest.approx(5e-4) and all(np.diff(cosine) < 0)
    assert cosine[-1] == pytest.approx(1e-3 * 0.5 * (1 + np.cos(0.9 * np.pi)))
    with pytest.raises(ValueError, match="epochs"):
        learning_rate_at(0, 1e-3, "cosine")


def test_extra_generator_terms_add_up_with_their_weights():
    def extractor(images):  # a fixed 2x2 average pool as a stand-in feature map, (B, 14, 14, 1)
        return keras.ops.average_pool(images, 2, 2)

    G, D = tiny_models(0)
    gan = GAN(G, D, loss_config=GANLossConfig(style_weight=3.0, tv_weight=0.01), seed=0, feature_extractor=extractor)
    gan.compile(TrainConfig(beta_1=0.9))
    gan.fit(tiny_images(32), epochs=1, batch_size=16, verbose=0)
    r = gan.state.history[0]
    assert r["g_stats"] > 0 and r["g_tv"] > 0
    np.testing.assert_allclose(r["g_loss"], r["g_adv"] + 3.0 * r["g_stats"] + 0.01 * r["g_tv"], rtol=1e-5)


def test_default_feature_maps_come_from_the_shipped_feature_net():
    from stylegan_edu.gan import mnist_feature_maps
    from stylegan_edu.pretrained import mnist_feature_net

    maps = mnist_feature_maps()
    out = maps(tiny_images(3))
    assert {k: tuple(v.shape) for k, v in out.items()} == {"conv1": (3, 26, 26, 32), "conv2": (3, 11, 11, 64)}
    assert not maps.trainable_weights
    conv1 = mnist_feature_net().get_layer("conv1")
    want = keras.ops.relu(keras.ops.conv(tiny_images(3), conv1.kernel) + conv1.bias)  # independent: the raw convolution
    np.testing.assert_allclose(np.asarray(out["conv1"]), np.asarray(want), atol=1e-5)


def test_feature_statistics_loss_against_numpy():
    rng = np.random.default_rng(0)
    fake, real = rng.normal(size=(2, 3, 4, 4, 2)).astype(np.float32)
    got = float(feature_statistics_loss(lambda a: a, fake, real))
    gram = lambda f: np.einsum("bijc,bijd->bcd", f, f).mean(0) / 16  # noqa: E731  (c, c), normalised by H*W
    want = np.mean((gram(fake) - gram(real)) ** 2)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert float(feature_statistics_loss(lambda a: a, real, real)) == 0.0


def test_compile_rejects_bad_optimizers():
    G, D = tiny_models(0)
    gan = GAN(G, D)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="different optimizer object"):
        gan.compile(TrainConfig(), d_optimizer=opt, g_optimizer=opt)
    with pytest.raises(ValueError, match="Invalid value for argument `d_optimizer`. Expected a keras.optimizers.Optimizer"):
        gan.compile(TrainConfig(), d_optimizer="adam")
    with pytest.raises(ValueError, match="Invalid value for argument `config`. Expected a TrainConfig"):
        gan.compile(keras.optimizers.Adam())
    with pytest.raises(ValueError, match="Invalid value for argument `loss_config`"):
        GAN(G, D, loss_config={"tv_weight": 1.0})
    with pytest.raises(RuntimeError, match="compile"):
        GAN(G, D).fit(tiny_images(8), epochs=1, batch_size=4)
    with pytest.raises(ValueError, match="Invalid value for argument `generator`"):
        GAN(lambda z: z, D)


def test_make_gan_builds_the_default_models_and_mixed_precision_is_off_on_cpu():
    pytest.importorskip("stylegan_edu.models")
    gan = make_gan(TrainConfig(seed=1, mixed_precision="off"))
    assert gan.latent_dim == 100 and tuple(gan.generator.output_shape) == (None, 28, 28, 1)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(2e-4) and float(gan.g_optimizer.beta_1) == 0.5
    assert resolve_mixed_precision("auto") is bool(tf.config.list_physical_devices("GPU"))
    assert keras.config.dtype_policy().name == "float32"


def test_mixed_precision_on_trains_and_checkpoints(tmp_path):
    """Forced on (as "auto" does on a GPU): float16 compute, float32 weights, loss-scaled optimizers."""
    pytest.importorskip("stylegan_edu.models")
    from stylegan_edu import callbacks as cbs

    gan = make_gan(TrainConfig(seed=0, mixed_precision="on"))  # the default models, built under the policy
    assert keras.config.dtype_policy().name == "float32", "the global policy is restored"
    assert gan.generator.dtype_policy.name == "mixed_float16" and gan.generator.weights[0].dtype == "float32"
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)

    def tiny_mixed(seed):  # tiny models keep the training part fast
        keras.config.set_dtype_policy("mixed_float16")
        try:
            G, D = tiny_models(seed)
        finally:
            keras.config.set_dtype_policy("float32")
        return make_gan(TrainConfig(seed=seed, mixed_precision="on"), generator=G, discriminator=D)

    gan = tiny_mixed(0)
    gan.fit(tiny_images(32), epochs=1, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], verbose=0)
    assert np.isfinite(gan.state.history[0]["g_loss"]) and gan.generate(np.zeros((2, LATENT))).dtype == np.float32
    other = tiny_mixed(5)
    cbs.Checkpoint(tmp_path).restore(other)
    for a, b in zip(all_weights(gan), all_weights(other)):
        np.testing.assert_array_equal(a, b)


def test_gan_loss_config_validates_and_conditional_gan_has_no_latent_machinery():
    with pytest.raises(ValueError, match="Invalid value for argument `style_weight`"):
        GANLossConfig(style_weight=-1.0)
    with pytest.raises(ValueError, match="Invalid value for argument `saturating`"):
        GANLossConfig(saturating="yes")
    from stylegan_edu.conditional import ConditionalGAN
    from stylegan_edu.training import AdversarialTrainer

    assert issubclass(ConditionalGAN, AdversarialTrainer) and not issubclass(ConditionalGAN, GAN)
    assert not hasattr(ConditionalGAN, "sample_noise")
    import inspect

    assert "latent_dim" not in inspect.signature(ConditionalGAN).parameters
    assert list(inspect.signature(ConditionalGAN.compile).parameters) == ["self", "config", "d_optimizer", "g_optimizer", "jit_compile"]


def test_compile_takes_every_setting_from_the_train_config():
    """One place: the learning rate goes CLI/TrainConfig -> make_optimizers -> Adam, and nowhere else."""
    config = TrainConfig(learning_rate=1e-3, beta_1=0.7, label_smoothing=0.1, schedule="halve_per_epoch", mixed_precision="off")
    gan = tiny_gan(lr=1e-3, beta_1=0.7, label_smoothing=0.1, schedule="halve_per_epoch")
    assert gan.config == dataclasses.replace(config, seed=0)
    for opt in (gan.d_optimizer, gan.g_optimizer):
        assert float(opt.learning_rate) == pytest.approx(1e-3) and float(opt.beta_1) == pytest.approx(0.7)
    d_opt, g_opt = make_optimizers(config)
    assert type(d_opt) is type(gan.d_optimizer) and d_opt is not g_opt


def test_schedules_equal_keras_schedules_read_once_per_epoch():
    """learning_rate_at is Keras' ExponentialDecay(staircase) and CosineDecay, evaluated at each epoch's first step."""
    steps = 7
    halving = keras.optimizers.schedules.ExponentialDecay(2e-4, decay_steps=steps, decay_rate=0.5, staircase=True)
    cosine = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=10 * steps)
    for k in range(10):
        assert learning_rate_at(k, 2e-4, "halve_per_epoch") == pytest.approx(float(halving(k * steps)), rel=1e-6)
        assert learning_rate_at(k, 1e-3, "cosine", epochs=10) == pytest.approx(float(cosine(k * steps)), rel=1e-5, abs=1e-9)


# --------------------------------------------------------------- EMA and R1 (options of the one trainer)


def _ema_reference(trajectory, decay):
    """The EMA by hand: ema_0 = theta_0, ema_t = b_t ema_{t-1} + (1 - b_t) theta_t, b_t = min(decay, (1 + t) / (10 + t))."""
    ema = [np.array(w, np.float64) for w in trajectory[0]]
    for t, weights in enumerate(trajectory[1:], start=1):
        b = min(decay, (1 + t) / (10 + t))
        ema = [b * e + (1 - b) * np.asarray(w, np.float64) for e, w in zip(ema, weights)]
    return ema


class _RecordGenerator(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.trajectory = []

    def on_train_begin(self, logs=None):
        self.trajectory.append([v.numpy().copy() for v in self.model.generator.trainable_variables])

    def on_train_batch_end(self, batch, logs=None):
        self.trajectory.append([v.numpy().copy() for v in self.model.generator.trainable_variables])


def test_ema_weights_equal_a_hand_computed_average():
    gan = tiny_gan(lr=1e-2, ema_decay=0.9)
    assert gan.ema_generator is not None and gan.ema_generator is not gan.generator
    for e, v in zip(gan.ema_generator.variables, gan.generator.variables):
        np.testing.assert_array_equal(e.numpy(), v.numpy())  # starts as a copy
    record = _RecordGenerator()
    gan.fit(tiny_images(96), epochs=2, batch_size=16, callbacks=[record], verbose=0)  # 12 generator steps
    assert len(record.trajectory) == 13
    want = _ema_reference(record.trajectory, 0.9)
    got = [v.numpy() for v in gan.ema_generator.trainable_variables]
    for g, w, now in zip(got, want, record.trajectory[-1]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(g, now) for g, now in zip(got, record.trajectory[-1])), "the average lags the weights"
    # BatchNorm statistics are copied, not averaged.
    bn = [(e, v) for e, v in zip(gan.ema_generator.non_trainable_variables, gan.generator.non_trainable_variables) if "moving" in v.path]
    assert bn and all(np.array_equal(e.numpy(), v.numpy()) for e, v in bn)


def test_generate_uses_the_ema_generator_by_default():
    gan = tiny_gan(lr=1e-2, ema_decay=0.99)
    gan.fit(tiny_images(32), epochs=1, batch_size=16, verbose=0)
    z = np.random.default_rng(0).normal(size=(4, LATENT)).astype(np.float32)
    ema = np.asarray(gan.ema_generator(z, training=False))
    raw = np.asarray(gan.generator(z, training=False))
    np.testing.assert_allclose(gan.generate(z), ema, atol=1e-6)
    np.testing.assert_allclose(gan.generate(z, use_ema=True), ema, atol=1e-6)
    np.testing.assert_allclose(gan.generate(z, use_ema=False), raw, atol=1e-6)
    assert not np.allclose(ema, raw)
    plain = tiny_gan()
    assert plain.ema_generator is None
    with pytest.raises(ValueError, match="Invalid value for argument `use_ema`. Expected False or None: this run keeps no EMA"):
        plain.generate(z, use_ema=True)


def test_ema_is_checkpointed_and_resumes_exactly(tmp_path):
    from stylegan_edu import callbacks as cbs

    x = tiny_images(48)
    straight = tiny_gan(lr=1e-2, ema_decay=0.9)
    straight.fit(x, epochs=2, batch_size=16, verbose=0)
    first = tiny_gan(lr=1e-2, ema_decay=0.9)
    first.fit(x, epochs=1, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], verbose=0)
    saved = [v.numpy().copy() for v in first.ema_generator.variables]
    resumed = tiny_gan(lr=1e-2, ema_decay=0.9)  # untrained: everything must come from the file
    resumed.fit(x, epochs=1, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], resume=True, verbose=0)  # restore only
    for a, b in zip(saved, resumed.ema_generator.variables):
        np.testing.assert_array_equal(a, b.numpy())
    resumed.fit(x, epochs=2, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], verbose=0)
    for a, b in zip(straight.ema_generator.variables, resumed.ema_generator.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_resuming_with_other_settings_says_what_differs(tmp_path):
    from stylegan_edu import callbacks as cbs

    x = tiny_images(16)
    tiny_gan(ema_decay=0.9).fit(x, epochs=1, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], verbose=0)
    other = tiny_gan(ema_decay=0.99, r1_weight=1.0)
    before = all_weights(other)
    with pytest.raises(ValueError, match="Invalid value for argument `resume`") as info:
        other.fit(x, epochs=2, batch_size=16, callbacks=[cbs.Checkpoint(tmp_path)], resume=True, verbose=0)
    message = str(info.value)
    assert "train.ema_decay: 0.9 (checkpoint) -> 0.99 (now)" in message and "train.r1_weight: 0.0 (checkpoint) -> 1.0 (now)" in message
    assert "epochs" not in message  # a resumed run may run longer
    for a, b in zip(before, all_weights(other)):
        np.testing.assert_array_equal(a, b)  # nothing assigned


@pytest.mark.parametrize("kwargs,message", [
    ({"ema_decay": 1.0}, "Invalid value for argument `ema_decay`. Expected a float in [0.0, 1.0). Received: ema_decay=1.0"),
    ({"ema_decay": -0.1}, "Invalid value for argument `ema_decay`"),
    ({"r1_weight": -1.0}, "Invalid value for argument `r1_weight`. Expected a float in [0.0, inf]. Received: r1_weight=-1.0"),
    ({"r1_interval": 0}, "Invalid value for argument `r1_interval`. Expected an integer >= 1. Received: r1_interval=0"),
    ({"beta_2": 1.0}, "Invalid value for argument `beta_2`"),
])
def test_ema_and_r1_settings_are_validated(kwargs, message):
    with pytest.raises(ValueError) as info:
        TrainConfig(**kwargs)
    assert message in str(info.value)
    assert not TrainConfig(ema_decay=0.0).uses_ema and not TrainConfig().uses_ema and TrainConfig(ema_decay=0.5).uses_ema


def _smooth_discriminator(seed=0):
    init = keras.initializers.RandomNormal(stddev=0.5, seed=seed)
    return keras.Sequential([keras.Input((3, 3, 1)), keras.layers.Flatten(), keras.layers.Dense(4, activation="tanh", kernel_initializer=init),
                             keras.layers.Dense(1, kernel_initializer=init)])


def test_r1_penalty_matches_finite_differences():
    from stylegan_edu.training import r1_penalty

    D = _smooth_discriminator()
    x = np.random.default_rng(0).uniform(-1, 1, (3, 3, 3, 1))
    f = lambda a: float(np.asarray(D(a.astype(np.float32)))[0, 0])  # noqa: E731  one image's logit
    eps, norms = 1e-2, []
    for b in range(3):
        grad = np.zeros(9)
        for i in range(9):
            up, down = x[b:b + 1].copy().ravel(), x[b:b + 1].copy().ravel()
            up[i] += eps
            down[i] -= eps
            grad[i] = (f(up.reshape(1, 3, 3, 1)) - f(down.reshape(1, 3, 3, 1))) / (2 * eps)  # central difference
        norms.append(np.sum(grad**2))
    np.testing.assert_allclose(float(r1_penalty(D, x.astype(np.float32))), np.mean(norms), rtol=2e-3)


def test_lazy_r1_step_matches_a_hand_written_reference():
    """Two SGD steps with r1_interval=2: the first adds 2 * gamma/2 * R1 to D's loss, the second nothing."""
    from stylegan_edu.training import r1_penalty

    lr, gamma, seed = 0.05, 3.0, 1
    x = np.random.default_rng(0).uniform(-1, 1, (8, 3, 3, 1)).astype(np.float32)
    G = keras.Sequential([keras.Input((2,)), keras.layers.Dense(9, activation="tanh",
                                                                kernel_initializer=keras.initializers.RandomNormal(seed=5)),
                          keras.layers.Reshape((3, 3, 1))])
    D = _smooth_discriminator(seed)
    G_ref, D_ref = keras.models.clone_model(G), keras.models.clone_model(D)
    G_ref.set_weights(G.get_weights()), D_ref.set_weights(D.get_weights())
    gan = GAN(G, D, seed=seed)
    gan.compile(TrainConfig(r1_weight=gamma, r1_interval=2, mixed_precision="off"),
                d_optimizer=keras.optimizers.SGD(lr), g_optimizer=keras.optimizers.SGD(lr))
    gan.fit(x, epochs=1, batch_size=4, verbose=0)  # two steps, in the data order of epoch_batches
    batches = [b.numpy() for b in epoch_batches(x, 4, epochs=1, seed=seed)[0]]
    noise = keras.random.SeedGenerator(seed)
    r1_values = []
    for step, real in enumerate(batches):
        z1 = keras.random.normal((4, 2), seed=noise)
        with tf.GradientTape() as tape:
            d_loss = losses.discriminator_loss(D_ref(real), D_ref(G_ref(z1)))
            if step % 2 == 0:
                r1 = r1_penalty(D_ref, real)
                r1_values.append(float(r1))
                d_loss = d_loss + 0.5 * gamma * 2 * r1
        for v, g in zip(D_ref.trainable_variables, tape.gradient(d_loss, D_ref.trainable_variables)):
            v.assign(v.numpy() - lr * g.numpy())
        z2 = keras.random.normal((4, 2), seed=noise)
        with tf.GradientTape() as tape:
            g_loss = losses.generator_loss(D_ref(G_ref(z2)))
        for v, g in zip(G_ref.trainable_variables, tape.gradient(g_loss, G_ref.trainable_variables)):
            v.assign(v.numpy() - lr * g.numpy())
    for a, b in zip(G.weights + D.weights, G_ref.weights + D_ref.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
    assert r1_values[0] > 0
    np.testing.assert_allclose(gan.state.history[0]["r1"], r1_values[0], rtol=1e-5)  # averaged over the due step only


def test_discriminator_gets_its_own_learning_rate_and_schedule():
    """TrainConfig.d_learning_rate (TTUR): the discriminator's Adam starts there, the generator's at learning_rate,
    and the schedule scales both."""
    from stylegan_edu.training import TrainConfig, learning_rate_at, make_optimizers

    d_opt, g_opt = make_optimizers(TrainConfig(learning_rate=1e-2, d_learning_rate=1e-4, mixed_precision="off"))
    assert abs(float(d_opt.learning_rate) - 1e-4) < 1e-10 and abs(float(g_opt.learning_rate) - 1e-2) < 1e-9
    d_opt, g_opt = make_optimizers(TrainConfig(learning_rate=1e-3, mixed_precision="off"))  # None: the same rate
    assert abs(float(d_opt.learning_rate) - float(g_opt.learning_rate)) < 1e-12
    assert abs(learning_rate_at(1, 1e-4, "cosine", epochs=2) / 1e-4 - learning_rate_at(1, 1e-2, "cosine", epochs=2) / 1e-2) < 1e-9


def test_discriminator_report_equals_a_hand_computation_over_batches():
    import keras

    from stylegan_edu.training import discriminator_report

    rng = np.random.default_rng(0)
    D = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    w, b = (np.asarray(v) for v in D.get_weights())
    groups = {"train": rng.normal(size=(7, 4, 4, 1)).astype("float32"), "fake": rng.normal(size=(5, 4, 4, 1)).astype("float32")}
    labels = {"train": np.array([0, 1, 1, 2, 0, 2, 2]), "fake": np.array([2, 2, 2, 2, 0])}
    report = discriminator_report(D, groups, labels=labels, batch_size=3)  # 3 batches of train, 2 of fake
    for name, x in groups.items():
        logits = x.reshape(len(x), -1) @ w[:, 0] + b[0]  # (N,)
        assert report[name]["num_images"] == len(x)
        np.testing.assert_allclose(report[name]["mean_logit"], logits.mean(), rtol=1e-5)
        assert report[name]["sign_mean"] == pytest.approx(np.sign(logits).mean())
        assert sorted(report[name]["by_class"]) == sorted(set(labels[name].tolist()))
        for k, v in report[name]["by_class"].items():
            np.testing.assert_allclose(v, logits[labels[name] == k].mean(), rtol=1e-5)
    assert "by_class" not in discriminator_report(D, groups)["fake"]


@pytest.mark.parametrize("kwargs,message", [
    (dict(images={}), "`images`. Expected a non-empty dict"),
    (dict(images={"a": np.zeros((2, 4, 4))}), "`images['a']`. Expected an array of rank 4"),
    (dict(labels={"b": [0, 1]}), "`labels`. Expected None or a dict with the keys of `images`"),
    (dict(labels={"a": [0]}), "`labels['a']`. Expected 2 integer classes, one per image"),
    (dict(labels={"a": [0.5, 1.0]}), "`labels['a']`. Expected 2 integer classes, one per image"),
    (dict(discriminator="D"), "`discriminator`. Expected a callable"),
    (dict(discriminator=lambda x, training=False: np.zeros((1, 1))), "`discriminator`. Expected one logit per image"),
    (dict(batch_size=0), "`batch_size`. Expected an integer >= 1"),
])
def test_discriminator_report_rejects_bad_input(kwargs, message):
    from stylegan_edu.training import discriminator_report

    args = dict(discriminator=lambda x, training=False: np.zeros((len(x), 1)), images={"a": np.zeros((2, 4, 4, 1))})
    args.update(kwargs)
    with pytest.raises(ValueError, match=re.escape("Invalid value for argument " + message)):
        discriminator_report(**args)
