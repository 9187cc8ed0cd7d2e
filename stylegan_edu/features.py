r"""Perceptual feature extractors: VGG16/VGG19 for photographs, a small CNN for MNIST.

The content and style losses (chapters 4 and 5), the mixed loss (chapter 7),
style transfer (chapter 10) and the MNIST-FID (chapters 8 and 9) compare
images through the feature maps of a trained network rather than pixel by
pixel. This module builds those networks.

* :func:`vgg16_extractor` (and :func:`vgg_extractor` for VGG19): a frozen
  Keras model mapping RGB images in [0, 1] to a dict of named VGG feature maps.
  It tries the ImageNet weights (Keras downloads them, as in Colab) and, when
  that is impossible (offline) or asked for with ``vgg_weights=None``, falls back
  to **seeded random weights**, says so on stdout, and records which weights
  it holds in its ``weights_source`` attribute, so figures can be labelled.
* :func:`build_mnist_feature_net` and :func:`mnist_features`: a small MNIST
  classifier, whose trained weights ship in the package (trained by
  ``scripts/train_mnist_feature_net.py``, loaded by
  :func:`stylegan_edu.pretrained.mnist_feature_net`), and its penultimate features.

Nothing is built, downloaded or cached when this module is imported.
"""

import contextlib
import functools
import io
import os

import keras
import numpy as np
from keras import ops

from stylegan_edu._validation import check_choice, check_finite, check_positive_int, invalid

__all__ = [
    "VGG_LAYERS",
    "VGG_MEAN_BGR",
    "MIN_VGG_SIZE",
    "VGGFeatureExtractor",
    "vgg_extractor",
    "vgg16_extractor",
    "caffe_preprocess",
    "MNIST_HELDOUT_EVERY",
    "mnist_feature_split",
    "build_mnist_feature_net",
    "mnist_features",
]

# ---------------------------------------------------------------------------
# VGG
# ---------------------------------------------------------------------------


def _vgg_layer_names(convs_per_block):
    names = []
    for block, n in enumerate(convs_per_block, start=1):
        names += [f"block{block}_conv{i}" for i in range(1, n + 1)] + [f"block{block}_pool"]
    return tuple(names)


#: The feature layers of each network, in order (Keras' names).
VGG_LAYERS = {
    "vgg16": _vgg_layer_names((2, 2, 3, 3, 3)),
    "vgg19": _vgg_layer_names((2, 2, 4, 4, 4)),
}
#: The ImageNet mean pixel that VGG's ("caffe") preprocessing subtracts, in BGR order, on 0..255.
VGG_MEAN_BGR = (103.939, 116.779, 123.68)
#: The smallest height and width VGG accepts (five 2x2 poolings take 32 px to 1 px).
MIN_VGG_SIZE = 32

_APPLICATIONS = {"vgg16": "VGG16", "vgg19": "VGG19"}


def caffe_preprocess(images):
    r"""VGG's preprocessing, for images in [0, 1]: RGB to BGR, scale to 0..255, subtract the ImageNet mean.

    Formula:
        .. math:: x'_{ijc} = 255\, x_{ij,\pi(c)} - m_c, \quad m = (103.939, 116.779, 123.68)

        where :math:`\pi` reverses the channel order (RGB to BGR) and
        :math:`m` is the ImageNet mean pixel in BGR order. Equals
        ``keras.applications.vgg16.preprocess_input(255 * images)``.

    Args:
        images: RGB images in [0, 1], shape (B, H, W, 3).

    Returns:
        A float32 tensor of shape (B, H, W, 3), BGR, mean-subtracted.

    Example:

    >>> import numpy as np
    >>> x = np.zeros((1, 1, 1, 3), "float32")
    >>> [round(v, 3) for v in caffe_preprocess(x).numpy().ravel().tolist()]
    [-103.939, -116.779, -123.68]
    """
    x = ops.cast(ops.convert_to_tensor(images), "float32")  # (B, H, W, 3), RGB in [0, 1]
    bgr = ops.flip(x, axis=-1) * 255.0  # (B, H, W, 3), BGR in [0, 255]
    return bgr - ops.convert_to_tensor(np.asarray(VGG_MEAN_BGR, "float32"))  # (B, H, W, 3)


def _random_vgg_weights(base, seed):
    """Set every conv layer to He-normal kernels and zero biases, drawn from ``seed``.

    He-normal (std sqrt(2 / fan_in)) keeps the scale of ReLU activations
    roughly constant from layer to layer, so deep random features neither
    vanish nor explode. Deterministic: the same seed gives the same weights.
    """
    rng = np.random.default_rng(seed)
    for layer in base.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel, bias = layer.get_weights()  # (3, 3, C_in, C_out), (C_out,)
            fan_in = kernel.shape[0] * kernel.shape[1] * kernel.shape[2]
            kernel = rng.standard_normal(kernel.shape, dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))
            layer.set_weights([kernel, np.zeros_like(bias)])


class VGGFeatureExtractor(keras.Model):
    """A frozen VGG that maps RGB (or grey) images in [0, 1] to a dict of feature maps.

    Built by :func:`vgg_extractor` / :func:`vgg16_extractor`; see there.

    Attributes:
        layer_names: the requested layers, in the order given.
        network: ``"vgg16"`` or ``"vgg19"``.
        weights_source: which weights it holds: ``"imagenet"``,
            ``"random (seed 0)"`` or the path of a weights file. Use it to
            label figures.
        is_random: whether the weights are the random fallback.
    """

    def __init__(self, features, layer_names, network, weights_source, is_random, **kwargs):
        super().__init__(**kwargs)
        self.features = features
        self.layer_names = tuple(layer_names)
        self.network = network
        self.weights_source = weights_source
        self.is_random = is_random
        self.trainable = False

    def __call__(self, images, *args, **kwargs):
        # Validate here, before Keras wraps exceptions raised inside call().
        self._check_images(images)
        return super().__call__(images, *args, **kwargs)

    @staticmethod
    def _check_images(images):
        x = images if hasattr(images, "shape") else np.asarray(images)
        if len(x.shape) != 4:
            raise invalid("images", "a rank-4 tensor (B, H, W, 3) or (B, H, W, 1) with values in [0, 1]",
                          f"shape {tuple(x.shape)}")
        h, w, c = x.shape[1], x.shape[2], x.shape[3]
        if c not in (1, 3):
            raise invalid("images", "1 (grey) or 3 (RGB) channels", f"shape {tuple(x.shape)}")
        if (h is not None and h < MIN_VGG_SIZE) or (w is not None and w < MIN_VGG_SIZE):
            raise invalid(
                "images",
                f"height and width of at least {MIN_VGG_SIZE} px (VGG halves them five times); "
                "upsample small images first, e.g. with keras.ops.image.resize",
                f"shape {tuple(x.shape)}",
            )

    def call(self, images):
        x = ops.cast(ops.convert_to_tensor(images), "float32")  # (B, H, W, C)
        c = x.shape[-1]
        if c == 1:
            x = ops.repeat(x, 3, axis=-1)  # (B, H, W, 3): grey to RGB
        out = self.features(caffe_preprocess(x))
        if not isinstance(out, dict):  # a single requested layer
            out = {self.layer_names[0]: out}
        return out

    def subset(self, layers):
        """A new extractor for other layers of this one, sharing its weights (nothing is rebuilt).

        Any layer up to this extractor's deepest one can be asked for. Only
        the layers up to the deepest one asked for are computed, so a subset
        of shallow layers is cheaper to run.

        Args:
            layers: a layer name or a list of them, no deeper than the deepest
                of ``self.layer_names``.

        Returns:
            VGGFeatureExtractor: with the same ``weights_source``.

        Example:

        >>> vgg = vgg16_extractor(["block1_conv1", "block4_conv1"], vgg_weights=None)
        VGG16: using seeded random weights (seed 0), as asked (vgg_weights=None). Features are not ImageNet features.
        >>> vgg.subset("block1_conv1").layer_names
        ('block1_conv1',)
        """
        if isinstance(layers, str):
            layers = [layers]
        layers = list(layers)
        computed = [l.name for l in self.features.layers if l.name in VGG_LAYERS[self.network]]
        unknown = [name for name in layers if name not in computed]
        if not layers or unknown:
            raise invalid("layers", f"a non-empty list of the layers this extractor computes, {computed}",
                          f"layers={layers!r}")
        outputs = {name: self.features.get_layer(name).output for name in layers}
        sub = keras.Model(self.features.input, outputs, name=f"{self.network}_features")
        return VGGFeatureExtractor(sub, layers, self.network, self.weights_source, self.is_random,
                                   name=f"{self.network}_extractor")

    def __repr__(self):
        return (f"<VGGFeatureExtractor {self.network} layers={list(self.layer_names)} "
                f"weights={self.weights_source!r}>")


def vgg_extractor(layers, network="vgg16", vgg_weights="imagenet", seed=0):
    r"""A frozen VGG16 or VGG19 feature extractor returning a dict of named feature maps.

    The model does VGG's preprocessing itself (:func:`caffe_preprocess`), so
    it takes RGB images in [0, 1], shape (B, H, W, 3); grey images
    (B, H, W, 1) are repeated to RGB. H and W must be at least 32.
    Only the layers up to the deepest requested one are computed.

    The weights:

    * ``"imagenet"``: Keras' ImageNet weights (downloaded on first use,
      ~58 MB for VGG16, 80 MB for VGG19, as in Colab). If that fails
      (offline), it falls back to random weights and prints why.
    * ``None``: seeded random weights on purpose.
    * a path to a ``.h5`` / ``.weights.h5`` file: a local copy of the
      ``include_top=False`` weights.

    Random weights are He-normal kernels and zero biases drawn from
    ``numpy.random.default_rng(seed)``: the same seed gives the same
    network. A visible message on stdout (not a warning on stderr, so
    notebook outputs stay comparable) says when they are used, and
    ``extractor.weights_source`` records it for figure labels.

    Args:
        layers: a layer name or a list of them, e.g. ``["block1_conv1", "block4_conv2"]``
            (see ``VGG_LAYERS[network]``).
        network: ``"vgg16"`` or ``"vgg19"``.
        vgg_weights: ``"imagenet"``, ``None`` or a path.
        seed: seed of the random fallback weights.

    Returns:
        VGGFeatureExtractor: ``extractor(images)`` gives ``{layer: (B, h, w, C) feature map}``.

    Raises:
        ValueError: for an unknown network or layer name (the message lists
            the valid names), or a weights file that does not exist.

    Example:

    >>> import numpy as np
    >>> vgg = vgg_extractor(["block1_conv2", "block3_conv1"], network="vgg19", vgg_weights=None)
    VGG19: using seeded random weights (seed 0), as asked (vgg_weights=None). Features are not ImageNet features.
    >>> feats = vgg(np.zeros((2, 64, 64, 3), "float32"))
    >>> {k: tuple(v.shape) for k, v in feats.items()}
    {'block1_conv2': (2, 64, 64, 64), 'block3_conv1': (2, 16, 16, 256)}
    >>> vgg.weights_source
    'random (seed 0)'
    """
    network = check_choice("network", network, tuple(VGG_LAYERS))
    valid = VGG_LAYERS[network]
    if isinstance(layers, str):
        layers = [layers]
    layers = list(layers)
    if not layers:
        raise invalid("layers", f"at least one layer name among {list(valid)}", "layers=[]")
    unknown = [name for name in layers if name not in valid]
    if unknown:
        raise invalid("layers", f"layer names of {network.upper()}, one of {list(valid)}", f"unknown {unknown}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise invalid("seed", "an integer", f"seed={seed!r}")
    if vgg_weights is not None and not isinstance(vgg_weights, (str, os.PathLike)):
        raise invalid("vgg_weights", "'imagenet', None or the path of a weights file", f"vgg_weights={vgg_weights!r}")
    if vgg_weights is not None and str(vgg_weights) != "imagenet" and not os.path.isfile(vgg_weights):
        raise invalid("vgg_weights", "'imagenet', None or the path of an existing weights file",
                      f"vgg_weights={str(vgg_weights)!r} (no such file)")

    app = getattr(keras.applications, _APPLICATIONS[network])
    label = network.upper()
    base = None
    if vgg_weights is None:
        reason = "as asked (vgg_weights=None)"
    elif str(vgg_weights) == "imagenet":
        try:
            # Keras prints "Downloading data from ..." on stdout; keep notebooks' outputs stable.
            with contextlib.redirect_stdout(io.StringIO()):
                base = app(include_top=False, weights="imagenet", input_shape=(None, None, 3))
            source = "imagenet"
        except Exception as e:  # offline, a proxy, a corrupt cache: fall back, loudly
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            reason = f"because the ImageNet weights could not be loaded ({type(e).__name__}: {first[:300]})"
    else:
        base = app(include_top=False, weights=None, input_shape=(None, None, 3))
        base.load_weights(str(vgg_weights))
        source = str(vgg_weights)
    if base is None:
        base = app(include_top=False, weights=None, input_shape=(None, None, 3))
        _random_vgg_weights(base, int(seed))
        source = f"random (seed {int(seed)})"
        print(f"{label}: using seeded random weights (seed {int(seed)}), {reason}. "
              "Features are not ImageNet features.")
    base.trainable = False
    outputs = {name: base.get_layer(name).output for name in layers}
    features = keras.Model(base.input, outputs, name=f"{network}_features")
    return VGGFeatureExtractor(features, layers, network, source, source.startswith("random"),
                               name=f"{network}_extractor")


def vgg16_extractor(layers, vgg_weights="imagenet", seed=0):
    r"""A frozen VGG16 feature extractor: :func:`vgg_extractor` with ``network="vgg16"``.

    Takes RGB images in [0, 1] (B, H, W, 3), or grey (B, H, W, 1), with
    H, W >= 32, and returns ``{layer: feature map}``. With ``vgg_weights="imagenet"``
    it uses Keras' ImageNet weights, falling back to seeded random weights
    (with a printed warning) when they cannot be downloaded; ``vgg_weights=None``
    asks for the random weights; a path loads a local weights file. The
    ``weights_source`` attribute says which weights are in use.

    Args:
        layers: a layer name or list of names among ``VGG_LAYERS["vgg16"]``.
        vgg_weights: ``"imagenet"``, ``None`` or a path.
        seed: seed of the random fallback weights.

    Returns:
        VGGFeatureExtractor.

    Example:

    >>> import numpy as np
    >>> vgg = vgg16_extractor("block2_conv1", vgg_weights=None)
    VGG16: using seeded random weights (seed 0), as asked (vgg_weights=None). Features are not ImageNet features.
    >>> tuple(vgg(np.ones((1, 32, 32, 1), "float32"))["block2_conv1"].shape)
    (1, 16, 16, 128)
    """
    return vgg_extractor(layers, network="vgg16", vgg_weights=vgg_weights, seed=seed)


# ---------------------------------------------------------------------------
# The MNIST feature net
# ---------------------------------------------------------------------------

#: Every ``MNIST_HELDOUT_EVERY``-th image of the MNIST test set (index % 5 == 4)
#: is held out from the feature net's training; the other 8,000 train it.
MNIST_HELDOUT_EVERY = 5


def mnist_feature_split(num_samples=10_000):
    """The fixed split of the MNIST test set used to train and evaluate the feature net.

    Only the MNIST *test* set (10,000 digits) is available offline, so the
    feature net is trained on 8,000 of them and evaluated on the other 2,000,
    which training never sees: image ``i`` is held out when ``i % 5 == 4``.
    The rule interleaves the two halves of the test set (written by different
    people), so both parts get the same mix.

    Args:
        num_samples: the number of images (10,000 for the MNIST test set).

    Returns:
        tuple: ``(train_indices, heldout_indices)``, int arrays.

    Example:

    >>> train, heldout = mnist_feature_split()
    >>> len(train), len(heldout), heldout[:3].tolist()
    (8000, 2000, [4, 9, 14])
    """
    idx = np.arange(check_positive_int("num_samples", num_samples))
    held = idx % MNIST_HELDOUT_EVERY == MNIST_HELDOUT_EVERY - 1
    return idx[~held], idx[held]


def build_mnist_feature_net():
    r"""The architecture of the MNIST feature net, untrained.

    Input (B, 28, 28, 1) in [-1, 1]; two conv/pool stages, a 128-unit ReLU
    layer named ``"features"`` (the penultimate features used by the MNIST
    perceptual losses and the MNIST-FID), then 10 logits (no softmax).

    Returns:
        keras.Model: output (B, 10) logits.

    Example:

    >>> net = build_mnist_feature_net()
    >>> net.count_params(), net.get_layer("features").units
    (225034, 128)
    """
    inputs = keras.Input((28, 28, 1), name="digits")  # (B, 28, 28, 1) in [-1, 1]
    x = keras.layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)  # (B, 26, 26, 32)
    x = keras.layers.MaxPooling2D(2, name="pool1")(x)  # (B, 13, 13, 32)
    x = keras.layers.Conv2D(64, 3, activation="relu", name="conv2")(x)  # (B, 11, 11, 64)
    x = keras.layers.MaxPooling2D(2, name="pool2")(x)  # (B, 5, 5, 64)
    x = keras.layers.Flatten(name="flatten")(x)  # (B, 1600)
    x = keras.layers.Dropout(0.3, name="dropout1")(x)
    f = keras.layers.Dense(128, activation="relu", name="features")(x)  # (B, 128)
    x = keras.layers.Dropout(0.3, name="dropout2")(f)
    logits = keras.layers.Dense(10, name="logits")(x)  # (B, 10)
    return keras.Model(inputs, logits, name="mnist_feature_net")


@functools.lru_cache(maxsize=4)
def _feature_model(net):
    return keras.Model(net.input, net.get_layer("features").output, name="mnist_features")


def _check_digit_images(images):
    try:
        x = np.asarray(images, dtype=np.float32)
    except (TypeError, ValueError):
        raise invalid("images", "a numeric array of shape (N, 28, 28, 1)", f"type {type(images).__name__}") from None
    if x.ndim == 3:
        x = x[..., None]  # (N, 28, 28, 1)
    if x.ndim != 4 or x.shape[1:] != (28, 28, 1):
        raise invalid("images", "MNIST-shaped images of shape (N, 28, 28, 1) or (N, 28, 28)", f"shape {np.shape(images)}")
    check_finite("images", x)
    if x.size and (x.min() < -1.001 or x.max() > 1.001):  # a little slack: float16 generator outputs round past +-1
        raise invalid("images", "pixel values in [-1, 1] (scale uint8 digits with data.to_unit_range: x / 127.5 - 1)",
                      f"min={x.min():g}, max={x.max():g}")
    return x


def mnist_features(images, batch_size=500):
    r"""Penultimate (128-d) features of the MNIST feature net, for the MNIST-FID and perceptual losses.

    Args:
        images: digits in [-1, 1], shape (N, 28, 28, 1) or (N, 28, 28).
        batch_size: how many images go through the network at once.

    Returns:
        numpy.ndarray: float32 of shape (N, 128), each entry >= 0 (after ReLU).

    Raises:
        ValueError: for the wrong shape, non-finite values or values outside [-1, 1].

    Example:

    >>> import numpy as np
    >>> f = mnist_features(np.full((3, 28, 28, 1), -1.0, "float32"))
    >>> f.shape, bool((f >= 0).all())
    ((3, 128), True)
    """
    x = _check_digit_images(images)  # (N, 28, 28, 1)
    batch_size = check_positive_int("batch_size", batch_size)
    from stylegan_edu.pretrained import mnist_feature_net

    model = _feature_model(mnist_feature_net())
    out = [np.asarray(ops.convert_to_numpy(model(x[i:i + batch_size], training=False)))
           for i in range(0, len(x), batch_size)]
    return np.concatenate(out, axis=0) if out else np.zeros((0, 128), np.float32)
