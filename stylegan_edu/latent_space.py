r"""Measuring a style-based generator's latent spaces: style swaps, noise, path length, diversity.

The tools chapter 13 measures the shipped generator with (and that a reader
can point at any :class:`~stylegan_edu.models.StyleGANGenerator`):

* :func:`swap_styles`: per-layer styles that take w from one latent at chosen
  w indices and from another elsewhere (style mixing with any set of layers;
  :func:`stylegan_edu.stylegan.mix_styles` is the contiguous case);
* :func:`noise_images`: seeded per-layer noise inputs, so that "the same w,
  new noise" is reproducible;
* :func:`slerp` and :func:`perceptual_path_length`: how smoothly the image
  changes along a path in z or in w (Karras et al., 2019), measured in a
  feature net's space;
* :func:`feature_diversity`: the mean pairwise feature distance of a batch.
"""

import numbers

import numpy as np
from keras import ops

from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, invalid

__all__ = ["swap_styles", "noise_images", "slerp", "perceptual_path_length", "feature_diversity", "generated_classes"]


def _check_generator(generator):
    from stylegan_edu.models import StyleGANGenerator

    if not isinstance(generator, StyleGANGenerator):
        raise invalid("generator", "a StyleGANGenerator (for example pretrained.stylegan_generator())",
                      f"generator of type {type(generator).__name__}")
    generator.build()
    return generator


def swap_styles(w_a, w_b, indices, num_ws):
    r"""Per-layer styles: :math:`w_b` at the given w indices, :math:`w_a` everywhere else.

    Formula:
        :math:`w'_\ell = w_b` if :math:`\ell \in S`, else :math:`w_a`, for
        :math:`\ell = 0, \dots, L-1` (:math:`L` = ``num_ws``). With
        :math:`S = \{0, \dots, k-1\}` this is
        ``mix_styles(w_b, w_a, k, num_ws)``: B's coarse styles on A.

    Args:
        w_a: (B, w_dim), the latent that keeps the layers outside ``indices``.
        w_b: (B, w_dim), the latent whose styles are swapped in.
        indices: the w indices to take from ``w_b``, each in [0, num_ws).
        num_ws: L, the generator's number of per-layer styles.

    Returns:
        ws (B, num_ws, w_dim).

    Example:

    >>> import numpy as np
    >>> ws = np.asarray(swap_styles(np.zeros((1, 2)), np.ones((1, 2)), [0, 2], num_ws=4))
    >>> ws[0, :, 0].tolist()
    [1.0, 0.0, 1.0, 0.0]
    >>> swap_styles(np.zeros((1, 2)), np.ones((1, 2)), [4], num_ws=4)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `indices`. Expected w indices in [0, 4) (num_ws=4). Received: indices=[4]
    """
    num_ws = check_positive_int("num_ws", num_ws)
    if isinstance(indices, (str, bytes)) or not hasattr(indices, "__iter__"):
        raise invalid("indices", f"w indices in [0, {num_ws}) (num_ws={num_ws})", f"indices={indices!r}")
    indices = list(indices)
    if any(isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < num_ws for i in indices):
        raise invalid("indices", f"w indices in [0, {num_ws}) (num_ws={num_ws})", f"indices={indices!r}")
    w_a = ops.convert_to_tensor(w_a, "float32")  # (B, w_dim)
    w_b = ops.convert_to_tensor(w_b, "float32")  # (B, w_dim)
    mask = np.zeros((1, num_ws, 1), bool)
    mask[0, indices] = True
    return ops.where(mask, w_b[:, None, :], w_a[:, None, :])  # (B, num_ws, w_dim)


def noise_images(generator, batch_size, seed):
    """Seeded noise inputs for every convolution of a generator: one (B, r, r, 1) array per layer.

    Pass the list as ``noise=`` to :meth:`~stylegan_edu.models.StyleGANGenerator.synthesize`
    (or the generator's call): the same seed gives the same noise, another
    seed new noise, with everything else fixed.

    Args:
        generator: a :class:`~stylegan_edu.models.StyleGANGenerator`.
        batch_size: B.
        seed: an int >= 0.

    Returns:
        list of float32 arrays, in the order of ``generator.synthesis.noise_shapes()``.

    Example:

    >>> from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig
    >>> g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                               SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    >>> [n.shape for n in noise_images(g, 2, seed=0)][:3]
    [(2, 4, 4, 1), (2, 8, 8, 1), (2, 8, 8, 1)]
    """
    generator = _check_generator(generator)
    batch_size = check_positive_int("batch_size", batch_size)
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    return [rng.standard_normal((batch_size, r, r, 1)).astype(np.float32) for r, _ in generator.synthesis.noise_shapes()]


def slerp(a, b, t):
    r"""Spherical linear interpolation between latents, as for z in the perceptual path length.

    Formula:
        .. math:: \mathrm{slerp}(a, b; t) = \frac{\sin((1-t)\,\Omega)}{\sin\Omega}\,a
                  + \frac{\sin(t\,\Omega)}{\sin\Omega}\,b

        with :math:`\Omega` the angle between :math:`a` and :math:`b`
        (Karras et al. normalise a and b first; so does this function, as z
        drawn from :math:`\mathcal N(0, I)` in 64 dimensions lies close to a
        sphere anyway).

    Args:
        a: (B, D).
        b: (B, D).
        t: a float or (B,) in [0, 1].

    Returns:
        numpy float64 (B, D), of unit norm.

    Example:

    >>> import numpy as np
    >>> p = slerp(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), 0.5)
    >>> np.round(p, 4).tolist()
    [[0.7071, 0.7071]]
    """
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise invalid("a", "two arrays of the same shape (B, D)", f"shapes {a.shape} and {b.shape}")
    t = np.asarray(t, np.float64).reshape(-1, 1)  # (B, 1) or (1, 1)
    if not np.all(np.isfinite(t)) or np.any((t < 0) | (t > 1)):
        raise invalid("t", "values in [0, 1]", f"t in [{t.min()}, {t.max()}]")
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    omega = np.arccos(np.clip(np.sum(a * b, axis=1, keepdims=True), -1.0, 1.0))  # (B, 1)
    so = np.sin(omega)
    safe = so > 1e-12
    out = np.where(safe, (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.where(safe, so, 1.0),
                   (1 - t) * a + t * b)  # parallel vectors: the straight line
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _crop(images):
    from stylegan_edu.stylegan import crop_to_28

    return crop_to_28(images) if images.shape[1:3] == (32, 32) else images


def perceptual_path_length(generator, space="w", num_samples=2000, epsilon=1e-4, seed=0, dataset="fashion_mnist",
                           batch_size=250):
    r"""Perceptual path length (Karras et al., 2019) along paths in z or in w, in a feature net's space.

    Formula:
        .. math:: \ell = \mathbb E\Big[\tfrac{1}{\epsilon^2}\,
                  \big\| \phi(g(p(t))) - \phi(g(p(t + \epsilon))) \big\|^2\Big]

        with :math:`t \sim U[0, 1]`, :math:`\phi` the penultimate features
        of the data set's shipped classifier (the paper uses LPIPS), and
        the path :math:`p` either :math:`\mathrm{slerp}(z_1, z_2; t)` mapped
        to w (``space="z"``), or :math:`\mathrm{lerp}(f(z_1), f(z_2); t)`
        (``space="w"``). A smaller value means the image changes more evenly
        along the path (no sudden jumps between classes). The noise inputs
        are fixed along each path (``noise="const"``).

    As in the paper, the mean is taken after dropping the values below the
    1st and above the 99th percentile; the median is returned too.

    Args:
        generator: a :class:`~stylegan_edu.models.StyleGANGenerator`.
        space: ``"z"`` or ``"w"``.
        num_samples: paths (pairs of latents), >= 2.
        epsilon: the step, in (0, 0.1].
        seed: seeds z_1, z_2 and t.
        dataset: whose feature net: ``"fashion_mnist"`` or ``"mnist"``.
        batch_size: paths per forward pass.

    Returns:
        dict: ``mean`` (1st-99th percentile), ``median``, ``values`` (float64 (num_samples,)).

    Example:

    >>> from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig
    >>> g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                               SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    >>> ppl = perceptual_path_length(g, "z", num_samples=8, epsilon=1e-2)
    >>> ppl["values"].shape, ppl["median"] >= 0
    ((8,), True)
    """
    from stylegan_edu.features import penultimate_features

    generator = _check_generator(generator)
    check_choice("space", space, ("z", "w"))
    num_samples = check_positive_int("num_samples", num_samples, minimum=2)
    epsilon = check_float_range("epsilon", epsilon, 0.0, 0.1, low_inclusive=False)
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    check_choice("dataset", dataset, ("mnist", "fashion_mnist"))
    batch_size = check_positive_int("batch_size", batch_size)
    d = generator.latent_dim
    z1 = rng.standard_normal((num_samples, d))  # (N, latent_dim)
    z2 = rng.standard_normal((num_samples, d))
    t = rng.uniform(0.0, 1.0 - epsilon, num_samples)  # (N,): t + epsilon stays on the path
    values = []
    for i in range(0, num_samples, batch_size):
        s = slice(i, i + batch_size)
        if space == "z":
            scale = np.sqrt(d)  # slerp returns unit vectors; z ~ N(0, I) has norm about sqrt(d)
            za, zb = scale * slerp(z1[s], z2[s], t[s]), scale * slerp(z1[s], z2[s], t[s] + epsilon)  # (b, latent_dim)
            w = np.asarray(generator.mapping(np.concatenate([za, zb]).astype(np.float32)))  # (2b, w_dim)
        else:
            w1 = np.asarray(generator.mapping(z1[s].astype(np.float32)), np.float64)  # (b, w_dim)
            w2 = np.asarray(generator.mapping(z2[s].astype(np.float32)), np.float64)
            ta, tb = t[s, None], t[s, None] + epsilon
            w = np.concatenate([w1 + ta * (w2 - w1), w1 + tb * (w2 - w1)]).astype(np.float32)  # (2b, w_dim)
        images = np.asarray(generator.synthesize(generator.broadcast(w), noise="const"))  # (2b, S, S, C)
        f = penultimate_features(np.clip(_crop(images), -1, 1), dataset).astype(np.float64)  # (2b, 128)
        b = len(f) // 2
        values.append(np.sum((f[:b] - f[b:]) ** 2, axis=1) / epsilon**2)
    values = np.concatenate(values)
    lo, hi = np.percentile(values, [1, 99])
    kept = values[(values >= lo) & (values <= hi)]
    return {"mean": float(kept.mean()), "median": float(np.median(values)), "values": values}


def feature_diversity(images, dataset="fashion_mnist", num_pairs=5000, seed=0, labels=None):
    r"""Diversity of a batch: the mean distance between the features of two different images.

    Formula:
        :math:`\mathbb E_{i \ne j} \|\phi(x_i) - \phi(x_j)\|`, over
        ``num_pairs`` random pairs, with :math:`\phi` the penultimate
        features of the data set's shipped classifier. 0 means every image
        looks the same to the classifier. With ``labels``, both images of a
        pair share a label (within-class diversity: ten different images,
        one per class, are diverse overall but not within a class).

    Args:
        images: (N, 28, 28, 1) or (N, 32, 32, 1) (cropped to 28) in [-1, 1], N >= 2.
        dataset: ``"fashion_mnist"`` or ``"mnist"``.
        num_pairs: random pairs i != j.
        seed: seeds the pairs.
        labels: optional ints (N,), e.g. predicted classes; pairs are then
            drawn within a label (labels held by one image only are skipped).

    Returns:
        float: the mean pairwise feature distance.

    Example:

    >>> import numpy as np
    >>> same = np.zeros((10, 28, 28, 1), "float32")
    >>> feature_diversity(same), feature_diversity(np.random.default_rng(0).uniform(-1, 1, (10, 28, 28, 1))) > 0
    (0.0, True)
    >>> two_kinds = np.concatenate([same[:5], same[:5] + 1.0])  # two distinct images, five copies each
    >>> feature_diversity(two_kinds) > 0, feature_diversity(two_kinds, labels=np.repeat([0, 1], 5))
    (True, 0.0)
    """
    from stylegan_edu.features import penultimate_features

    images = np.asarray(images)
    if images.ndim != 4 or images.shape[0] < 2:
        raise invalid("images", "a batch (N, 28, 28, 1) or (N, 32, 32, 1), N >= 2", f"shape {images.shape}")
    check_choice("dataset", dataset, ("mnist", "fashion_mnist"))
    num_pairs = check_positive_int("num_pairs", num_pairs)
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
            raise invalid("labels", f"one int label per image, shape ({len(images)},)", f"shape {labels.shape}, dtype {labels.dtype}")
    f = penultimate_features(_crop(images), dataset).astype(np.float64)  # (N, 128)
    if labels is None:
        i = rng.integers(0, len(f), num_pairs)
        j = (i + rng.integers(1, len(f), num_pairs)) % len(f)  # j != i
        return float(np.linalg.norm(f[i] - f[j], axis=1).mean())
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    groups = [g for g in groups if len(g) >= 2]
    if not groups:
        raise invalid("labels", "at least one label held by two or more images", "every label held once")
    sizes = np.array([len(g) for g in groups], np.float64)
    which = rng.choice(len(groups), num_pairs, p=sizes / sizes.sum())  # a group, in proportion to its images
    distances = []
    for g_index, g in enumerate(groups):
        n = int(np.sum(which == g_index))
        a = rng.integers(0, len(g), n)
        b = (a + rng.integers(1, len(g), n)) % len(g)  # another image of the same group
        distances.append(np.linalg.norm(f[g[a]] - f[g[b]], axis=1))
    return float(np.concatenate(distances).mean())


def generated_classes(generator, z=None, ws=None, noise="const", truncation_psi=1.0, dataset="fashion_mnist",
                      batch_size=500):
    """Generate from z (or per-layer ws) and return the images and the feature net's predicted classes.

    Args:
        generator: a :class:`~stylegan_edu.models.StyleGANGenerator`.
        z: (N, latent_dim), or None when ``ws`` is given.
        ws: (N, num_ws, w_dim), or None.
        noise: as for the generator (``"const"`` by default: only the styles decide).
        truncation_psi: for z.
        dataset: whose classifier.
        batch_size: per forward pass.

    Returns:
        tuple: ``(images, labels, confidence)``: float32 (N, 28, 28, 1)
        (cropped), int64 (N,), float64 (N,).

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig
    >>> g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
    ...                                               SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
    >>> images, labels, confidence = generated_classes(g, z=np.zeros((3, 8), "float32"))
    >>> images.shape, labels.shape
    ((3, 28, 28, 1), (3,))
    """
    from stylegan_edu.metrics import predicted_classes

    generator = _check_generator(generator)
    if (z is None) == (ws is None):
        raise invalid("z", "exactly one of z (N, latent_dim) and ws (N, num_ws, w_dim)",
                      f"z={'None' if z is None else 'an array'}, ws={'None' if ws is None else 'an array'}")
    batch_size = check_positive_int("batch_size", batch_size)
    source = np.asarray(z if z is not None else ws, np.float32)
    parts = []
    for i in range(0, len(source), batch_size):
        chunk = source[i:i + batch_size]
        if isinstance(noise, (list, tuple)):
            n = [a[i:i + batch_size] for a in noise]
        else:
            n = noise
        if z is not None:
            parts.append(np.asarray(generator(chunk, truncation_psi=truncation_psi, noise=n, training=False)))
        else:
            parts.append(np.asarray(generator.synthesize(chunk, noise=n)))
    images = np.clip(_crop(np.concatenate(parts)), -1.0, 1.0).astype(np.float32)  # (N, 28, 28, 1)
    labels, confidence = predicted_classes(images, dataset, batch_size=batch_size)
    return images, labels, confidence
