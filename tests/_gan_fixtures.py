"""Tiny seeded GANs for the training, callback, resume and CLI tests (fast on a CPU).

The generator has BatchNorm and the discriminator Dropout, so that the tests
also cover their state (moving statistics, dropout seeds) in checkpoints.
"""

import numpy as np

LATENT = 8


def tiny_models(seed=0, dropout=0.3, batchnorm=True):
    """(generator z (B, 8) -> (B, 28, 28, 1) in [-1, 1], discriminator -> (B, 1) logits)."""
    import keras

    init = lambda k: keras.initializers.RandomNormal(stddev=0.1, seed=seed * 10 + k)  # noqa: E731
    g_layers = [keras.Input((LATENT,)), keras.layers.Dense(7 * 7 * 4, kernel_initializer=init(1))]
    if batchnorm:
        g_layers.append(keras.layers.BatchNormalization())
    g_layers += [
        keras.layers.ReLU(),
        keras.layers.Reshape((7, 7, 4)),  # (B, 7, 7, 4)
        keras.layers.Conv2DTranspose(1, 4, strides=4, padding="same", activation="tanh", kernel_initializer=init(2)),  # (B, 28, 28, 1)
    ]
    generator = keras.Sequential(g_layers, name="tiny_generator")
    d_layers = [
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(4, 4, strides=4, padding="same", kernel_initializer=init(3)),  # (B, 7, 7, 4)
        keras.layers.LeakyReLU(0.2),
    ]
    if dropout:
        d_layers.append(keras.layers.Dropout(dropout, seed=seed + 7))
    d_layers += [keras.layers.Flatten(), keras.layers.Dense(1, kernel_initializer=init(4))]  # (B, 1)
    discriminator = keras.Sequential(d_layers, name="tiny_discriminator")
    return generator, discriminator


def tiny_gan(seed=0, lr=2e-4, cls=None, loss_config=None, **config_kwargs):
    """A compiled :class:`GAN` of :func:`tiny_models`, Adam(lr, beta_1=0.5) from a TrainConfig."""
    from stylegan_edu.gan import GAN, GANLossConfig
    from stylegan_edu.training import TrainConfig

    cls = cls or GAN
    generator, discriminator = tiny_models(seed)
    gan = cls(generator, discriminator, loss_config=loss_config or GANLossConfig(), seed=seed)
    config_kwargs = {"mixed_precision": "off", "beta_1": 0.5, **config_kwargs}
    gan.compile(TrainConfig(learning_rate=lr, seed=seed, **config_kwargs))
    return gan


def tiny_images(n=64, seed=0):
    """n blurry blobs in [-1, 1], shape (n, 28, 28, 1): enough to train a few steps."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:28, 0:28]
    cy, cx = rng.uniform(8, 20, (2, n, 1, 1))
    r = rng.uniform(3, 7, (n, 1, 1))
    blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r**2))  # (n, 28, 28) in (0, 1]
    return (2 * blob - 1).astype(np.float32)[..., None]  # (n, 28, 28, 1)


def all_weights(gan):
    """Every variable of the checkpointed state, as a list of numpy arrays."""
    from stylegan_edu.checkpoints import state_variables

    return [np.array(v.numpy()) for _, v in state_variables(gan)]
