"""The bad-input table of issue 18: over a thousand bad inputs to the public API, one expected outcome each.

Each case is ``(id, thunk, expect)``:

* ``expect = "arg"``: the call must raise a ``ValueError`` or ``TypeError``
  in the Keras template that names ``arg``:
  ``Invalid value for argument `arg`. Expected .... Received: ...``;
* ``expect = OK(check)``: the input is in fact valid (a bare string where a
  tuple of names is expected, say); the call must return, and
  ``check(result)`` must hold (a correct result, not just any result).

The table is built from a few families of bad values per kind of argument
(arrays, images, numbers, choices, booleans, names, paths), applied to every
argument of every public callable with a valid baseline call, plus the
specific cases of the issue. ``tests/test_bad_input.py`` runs it; ``python
tests/_bad_input_cases.py`` prints the counts for the closing note.
"""

import math
import os
import re

import numpy as np

TEMPLATE = "Invalid value for argument `{}`. Expected "


class OK:
    """The input is valid: the call must return and ``check(result)`` must be true."""

    def __init__(self, check=lambda r: True, what="returns"):
        self.check, self.what = check, what

    def __repr__(self):
        return f"OK({self.what})"


def run_case(thunk, expect):
    """Run one case; return ``("clear" | "correct", detail)`` or ``("silent" | "unclear", detail)``."""
    try:
        result = thunk()
    except (ValueError, TypeError) as e:
        msg = str(e)
        if isinstance(expect, OK):
            return "unclear", f"valid input raised {type(e).__name__}: {msg[:300]}"
        # `arg`, or a part of it: `arg['layer']`, `arg[0]`
        if re.search(re.escape(TEMPLATE.format(expect)[:-len("`. Expected ")]) + r"(\[[^`]*\])?`\. Expected .*Received: ", msg, re.S):
            return "clear", msg
        return "unclear", f"{type(e).__name__} not naming `{expect}` in the Keras template: {msg[:300]}"
    except Exception as e:  # noqa: BLE001 - any other exception is an unclear error
        return "unclear", f"{type(e).__name__}: {str(e)[:300]}"
    if isinstance(expect, OK):
        try:
            ok = bool(expect.check(result))
        except Exception as e:  # noqa: BLE001
            return "silent", f"result check raised {type(e).__name__}: {e}"
        return ("correct", repr(result)[:80]) if ok else ("silent", f"wrong result {repr(result)[:200]}")
    return "silent", f"accepted, returned {repr(result)[:200]}"


# ---------------------------------------------------------------------------
# Families of bad values
# ---------------------------------------------------------------------------


def _rng():
    return np.random.default_rng(0)


def with_nan(a):
    a = np.array(a, dtype=np.float64 if np.asarray(a).dtype.kind != "f" else np.asarray(a).dtype, copy=True)
    a.flat[0] = np.nan
    return a


def with_inf(a, sign=1.0):
    a = np.array(a, dtype=np.float64 if np.asarray(a).dtype.kind != "f" else np.asarray(a).dtype, copy=True)
    a.flat[-1] = sign * np.inf
    return a


def bad_arrays(valid, empty_shape=None, ranks=()):
    """(label, value) pairs of arrays that must be rejected where ``valid`` is expected."""
    valid = np.asarray(valid)
    out = [
        ("nan", lambda: with_nan(valid)),
        ("inf", lambda: with_inf(valid)),
        ("-inf", lambda: with_inf(valid, -1.0)),
        ("complex", lambda: valid.astype(np.complex128) + 1j),
        ("strings", lambda: np.full(valid.shape, "a")),
        ("None", lambda: None),
        ("object", lambda: object()),
        ("str", lambda: "abc"),
    ]
    if empty_shape is not None:
        out.append(("empty", lambda: np.zeros(empty_shape, valid.dtype)))
    for shape in ranks:
        out.append((f"shape{shape}", lambda shape=shape: np.zeros(shape, valid.dtype)))
    return out


BAD_POSITIVE_INT = [("0", 0), ("-1", -1), ("1.5", 1.5), ("str", "3"), ("None", None), ("True", True), ("nan", math.nan)]
BAD_NONNEG_INT = [("-1", -1), ("1.5", 1.5), ("str", "3"), ("None", None), ("True", True), ("nan", math.nan)]
BAD_FLOAT = [("nan", math.nan), ("inf", math.inf), ("str", "0.5"), ("None", None), ("True", True), ("complex", 1j)]
BAD_NONNEG_FLOAT = BAD_FLOAT + [("-1", -1.0)]
BAD_POSITIVE_FLOAT = BAD_NONNEG_FLOAT + [("0", 0.0)]
BAD_UNIT_FLOAT = BAD_NONNEG_FLOAT + [("2", 2.0)]  # something in [0, 1]
BAD_CHOICE = [("typo", "nope"), ("None", None), ("int", 3), ("upper", "L1X"), ("list", ["a"])]
BAD_BOOL = [("'no'", "no"), ("'yes'", "yes"), ("'False'", "False"), ("None", None), ("2", 2), ("list", [True])]
BAD_SEED = [("-1", -1), ("1.5", 1.5), ("str", "a"), ("True", True)]


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


def build_cases():  # noqa: C901 - one long table, by module
    import keras

    from stylegan_edu import callbacks, checkpoints, conditional, data, features, gan, losses, metrics, models, pipeline
    from stylegan_edu import pixel_optimisation as po
    from stylegan_edu import pretrained, stability, style_statistics, style_transfer, training, viz
    from stylegan_edu import clahe as C

    cases = []

    def add(case_id, thunk, expect):
        cases.append((case_id, thunk, expect))

    def sweep(prefix, fn, valid, bads, call=None, lazy=()):
        """For each ``arg: [(label, value or thunk), ...]``, call ``fn`` with ``valid`` but that argument replaced.

        Array values are thunks (built when the case runs); so are the valid values named in ``lazy``.
        """
        for arg, values in bads.items():
            for label, value in values:
                def thunk(arg=arg, value=value, lazy=lazy):
                    kwargs = {k: (v() if callable(v) and k in lazy else v) for k, v in valid.items()}
                    kwargs[arg] = value() if callable(value) and not isinstance(value, type) and arg not in keep_callable else value
                    return fn(**kwargs) if call is None else call(fn, kwargs)
                add(f"{prefix}[{arg}={label}]", thunk, arg)

    keep_callable = {"loss_fn", "learning_rate_fn", "fid_fn", "log", "callback", "extractor", "checker"}

    rng = _rng()
    logits = rng.normal(size=(4, 1)).astype("float32")
    probs = np.array([[0.9, 0.2]], "float32")
    targets = np.array([[1.0, 0.0]], "float32")
    fmap = rng.normal(size=(2, 3, 3, 4)).astype("float32")
    imgs = rng.uniform(size=(2, 4, 4, 1)).astype("float32")
    gram = np.asarray(losses.gram_matrix(fmap[:1]))

    # ---- losses -----------------------------------------------------------
    sweep("bce", losses.binary_cross_entropy, dict(y_true=targets, y_pred=probs), {
        "y_true": bad_arrays(targets, (0, 2)) + [("2", np.array([[2.0, 0.0]])), ("-1", np.array([[-1.0, 0.0]]))],
        "y_pred": bad_arrays(probs, (0, 2)) + [("1.5", np.array([[1.5, 0.2]])), ("-0.5", np.array([[-0.5, 0.2]]))],
        "from_logits": BAD_BOOL,
    })
    add("bce[shape mismatch]", lambda: losses.binary_cross_entropy(np.zeros((1, 3)), probs), "y_pred")  # named on the second
    sweep("discriminator_loss", losses.discriminator_loss, dict(real_logits=logits, fake_logits=logits), {
        "real_logits": bad_arrays(logits, (0, 1)), "fake_logits": bad_arrays(logits, (0, 1)),
        "label_smoothing": BAD_NONNEG_FLOAT + [("0.5", 0.5), ("1", 1.0)],
    })
    sweep("generator_loss", losses.generator_loss, dict(fake_logits=logits), {
        "fake_logits": bad_arrays(logits, (0, 1)), "saturating": BAD_BOOL,
    })
    sweep("content_loss", losses.content_loss, dict(features=fmap, target_features=fmap * 0.5), {
        "features": bad_arrays(fmap, (0, 3, 3, 4)),
        "target_features": bad_arrays(fmap, (0, 3, 3, 4), ranks=[(2, 3, 3, 5), (2, 3, 3)]),
        "reduction": BAD_CHOICE,
    })
    sweep("gram_matrix", losses.gram_matrix, dict(features=fmap), {
        "features": bad_arrays(fmap, (0, 3, 3, 4), ranks=[(3, 3, 4), (2, 9), (1, 2, 3, 3, 4)]),
    })
    sweep("style_loss", losses.style_loss, dict(features=fmap[:1], target_grams=gram), {
        "target_grams": [("dict", {"zz": gram}), ("str", "abc"), ("None", None)],
        "layer_weights": [("unknown", {"zz": 1.0}), ("str", "abc"), ("list", [1.0])],
    })
    for label, w in (("-1", -1.0), ("nan", math.nan), ("str", "1"), ("None", None), ("inf", math.inf)):
        add(f"style_loss[layer_weights['a']={label}]",
            lambda w=w: losses.style_loss({"a": fmap[:1]}, {"a": gram}, {"a": w}), "layer_weights['a']")
    for label, value in bad_arrays(gram, (0, 4, 4), ranks=[(4, 4), (1, 3, 3)]):
        add(f"style_loss[target_grams['a']={label}]",
            lambda value=value: losses.style_loss({"a": fmap[:1]}, {"a": value()}), "target_grams['a']")
    for fname, fn in (("total_variation_loss", losses.total_variation_loss), ("total_variation_map", losses.total_variation_map)):
        sweep(fname, fn, dict(images=imgs), {
            "images": bad_arrays(imgs, (0, 4, 4, 1), ranks=[(4, 4), (1, 1, 4, 4, 1), (16,)]),
            "kind": BAD_CHOICE + [("L1", "L1")],
        })
    sweep("MixedLossWeights", losses.MixedLossWeights, {}, {
        "content": BAD_NONNEG_FLOAT, "style": BAD_NONNEG_FLOAT, "tv": BAD_NONNEG_FLOAT,
    })
    sweep("mixed_loss", losses.mixed_loss, dict(images=imgs), {
        "images": [b for b in bad_arrays(imgs, (0, 4, 4, 1), ranks=[(4, 4)]) if b[0] != "None"],  # None: no TV part
        "weights": [("tuple", (1, 100, 1e-6)), ("dict", {"content": 1}), ("None", None), ("str", "article")],
        "content_reduction": BAD_CHOICE, "tv_kind": BAD_CHOICE,
    })
    sweep("mixed_loss.content", losses.mixed_loss, dict(content_features={"a": fmap}, content_targets={"a": fmap}), {
        "content_targets": [("missing", {"b": fmap}), ("None", None), ("str", "abc")],
    })
    sweep("mixed_loss.style", losses.mixed_loss, dict(style_features={"a": fmap[:1]}, style_targets={"a": gram}), {
        "style_targets": [("missing", {"b": gram}), ("str", "abc")],
        "style_layer_weights": [("unknown", {"zz": 1.0})],
    })
    sweep("ContentLoss", losses.ContentLoss, {}, {"content_reduction": BAD_CHOICE})
    sweep("TotalVariationLoss", losses.TotalVariationLoss, {}, {"kind": BAD_CHOICE})
    for label, value in bad_arrays(fmap.reshape(2, -1), (0, 36), ranks=[(2, 35)]):
        add(f"ContentLoss()[y_pred={label}]", lambda value=value: losses.ContentLoss()(fmap.reshape(2, -1), value()), "y_pred")
    for label, value in bad_arrays(fmap, (0, 3, 3, 4), ranks=[(3, 3, 4), (2, 3, 3, 5)]):
        add(f"StyleLoss()[y_pred={label}]", lambda value=value: losses.StyleLoss()(fmap, value()), "y_pred")
    for label, value in bad_arrays(imgs, (0, 4, 4, 1), ranks=[(4, 4), (4, 4, 1)]):
        add(f"TotalVariationLoss()[y_pred={label}]", lambda value=value: losses.TotalVariationLoss()(imgs, value()), "y_pred")
    for label, value in (("nan", with_nan(fmap)), ("inf", with_inf(fmap))):
        add(f"StyleLoss()[y_true={label}]", lambda value=value: losses.StyleLoss()(value, fmap), "y_true")
        add(f"ContentLoss()[y_true={label}]", lambda value=value: losses.ContentLoss()(value, fmap), "y_true")
    # valid inputs: the right numbers
    add("bce[valid]", lambda: float(losses.binary_cross_entropy([1.0, 0.0], [0.9, 0.2])),
        OK(lambda r: abs(r - (-(math.log(0.9) + math.log(0.8)) / 2)) < 1e-5, "the BCE by hand"))
    add("generator_loss[saturating=True]", lambda: float(losses.generator_loss([0.0], saturating=True)),
        OK(lambda r: abs(r + math.log(2)) < 1e-6, "-log 2"))
    add("generator_loss[saturating=np.bool_]", lambda: float(losses.generator_loss([0.0], saturating=np.bool_(False))),
        OK(lambda r: abs(r - math.log(2)) < 1e-6, "log 2"))
    add("bce[bool targets]", lambda: float(losses.binary_cross_entropy(np.array([True, False]), [0.9, 0.2])),
        OK(lambda r: abs(r - (-(math.log(0.9) + math.log(0.8)) / 2)) < 1e-5, "booleans read as 0 and 1"))
    add("total_variation_loss[one pixel]", lambda: float(losses.total_variation_loss(np.ones((1, 1, 1, 1)))),
        OK(lambda r: r == 0.0, "0 for one pixel"))

    # ---- metrics ----------------------------------------------------------
    feats = rng.normal(size=(6, 3))
    mu, eye = np.zeros(3), np.eye(3)
    sweep("feature_statistics", metrics.feature_statistics, dict(features=feats), {
        "features": bad_arrays(feats, (0, 3), ranks=[(6,), (1, 3), (2, 3, 1), (6, 0)]),
    })
    sweep("frechet_distance", metrics.frechet_distance, dict(mu1=mu, sigma1=eye, mu2=mu, sigma2=eye), {
        "mu1": bad_arrays(mu, (0,), ranks=[(3, 1)]),
        "mu2": bad_arrays(mu, ranks=[(4,), (3, 1)]),
        "sigma1": bad_arrays(eye, ranks=[(3,), (4, 4), (3, 4)]) + [
            ("-I", -eye), ("asym", eye + np.triu(np.ones((3, 3)), 1)), ("indefinite", np.array([[1.0, 2, 0], [2, 1, 0], [0, 0, 1]]))],
        "sigma2": bad_arrays(eye, ranks=[(3,), (2, 2)]) + [("-I", -eye), ("nan sigma", np.full((3, 3), np.nan))],
    })
    add("frechet_distance[valid 1-D]", lambda: metrics.frechet_distance([0.0], [[1.0]], [3.0], [[4.0]]),
        OK(lambda r: abs(r - 10.0) < 1e-9, "(0-3)^2 + (1-2)^2 = 10"))
    add("frechet_distance[singular PSD]", lambda: metrics.frechet_distance(mu, np.zeros((3, 3)), mu, np.zeros((3, 3))),
        OK(lambda r: r == 0.0, "0 for two point masses"))
    sweep("kernel_distance", metrics.kernel_distance, dict(features_a=feats, features_b=feats + 1, subset_size=3, num_subsets=2), {
        "features_a": bad_arrays(feats, (0, 3), ranks=[(6,), (1, 3)]),
        "features_b": bad_arrays(feats, (0, 3), ranks=[(6, 4), (1, 3)]),
        "subset_size": BAD_POSITIVE_INT + [("1", 1)],
        "num_subsets": BAD_POSITIVE_INT + [("10**12", 10**12)],
        "seed": BAD_SEED,
    })
    p = np.full((4, 3), 1 / 3)
    sweep("classifier_score_from_probabilities", metrics.classifier_score_from_probabilities, dict(probabilities=p), {
        "probabilities": bad_arrays(p, (0, 3), ranks=[(3,)]) + [("logits", p * 3 - 2), ("rows != 1", p * 0.5)],
        "splits": BAD_POSITIVE_INT + [("5 > N", 5)],
    })
    a8 = rng.uniform(size=(8, 8))
    for fname, fn in (("psnr", metrics.psnr), ("ssim", metrics.ssim)):
        sweep(fname, fn, dict(a=a8, b=a8 * 0.5, data_range=1.0), {
            "a": bad_arrays(a8, (0, 0), ranks=[(8,), (1, 8, 8, 1)]),
            "b": bad_arrays(a8, ranks=[(8, 7)]),
            "data_range": [b for b in BAD_POSITIVE_FLOAT if b[0] != "None"] + [("too small", 0.1)],  # None: inferred
        })
        # 0..255 floats with no data_range: the range cannot be guessed (skimage raises too)
        add(f"{fname}[0..255 floats, data_range=None]", lambda fn=fn: fn(np.full((8, 8), 200.0), np.full((8, 8), 100.0)), "data_range")
        add(f"{fname}[int32, data_range=None]", lambda fn=fn: fn(np.zeros((8, 8), np.int32), np.ones((8, 8), np.int32)), "data_range")
        add(f"{fname}[0..255 floats, data_range=1]", lambda fn=fn: fn(np.full((8, 8), 200.0), np.full((8, 8), 100.0), data_range=1.0),
            "data_range")
        add(f"{fname}[0..255 floats, data_range=255]", lambda fn=fn: fn(a8 * 255, a8 * 255, data_range=255),
            OK(lambda r, fname=fname: r == (math.inf if fname == "psnr" else 1.0), "identical images"))
    add("psnr[uint8 inferred]", lambda: metrics.psnr(np.zeros((4, 4), np.uint8), np.full((4, 4), 255, np.uint8)),
        OK(lambda r: abs(r) < 1e-9, "0 dB for the full range"))
    add("psnr[[-1, 1] inferred]", lambda: metrics.psnr(-np.ones((4, 4)), np.ones((4, 4))),
        OK(lambda r: abs(r) < 1e-9, "0 dB: data range 2"))
    sweep("ssim.win", metrics.ssim, dict(a=a8, b=a8, data_range=1.0), {"win_size": BAD_POSITIVE_INT + [("even", 4), ("1", 1)]})
    add("ssim[win_size > image]", lambda: metrics.ssim(a8[:5, :5], a8[:5, :5], data_range=1.0), "a")
    digits = np.zeros((3, 28, 28, 1), "float32")
    for fname, fn in (("fid", metrics.fid), ("kid", metrics.kid), ("classifier_score", metrics.classifier_score)):
        sweep(fname, fn, dict(images=digits), {
            "images": bad_arrays(digits, ranks=[(3, 32, 32, 1), (28, 28), (3, 28, 28, 3)]) + [
                ("0..255", np.full((3, 28, 28, 1), 255.0)), ("one image", np.zeros((1, 28, 28, 1)))],
            "dataset": BAD_CHOICE, "batch_size": BAD_POSITIVE_INT,
        })
    sweep("kid.sizes", metrics.kid, dict(images=digits), {"num_subsets": [("10**12", 10**12), ("0", 0)], "seed": BAD_SEED,
                                                          "subset_size": [("1", 1), ("0", 0)]})
    sweep("mnist_fid", metrics.mnist_fid, dict(images=digits), {"reference": BAD_CHOICE, "batch_size": BAD_POSITIVE_INT})
    sweep("reference_statistics", metrics.reference_statistics, {}, {"dataset": BAD_CHOICE})

    # ---- data -------------------------------------------------------------
    for fname, fn in (("load_mnist", data.load_mnist), ("load_fashion_mnist", data.load_fashion_mnist)):
        sweep(fname, fn, dict(split="test", data_dir="/nonexistent-sg"), {
            "split": BAD_CHOICE + [("Train", "Train")],
            "data_dir": [("nonexistent", "/nonexistent-sg"), ("int", 3), ("list", ["/tmp"]), ("a file", __file__)],
        })
    u8 = np.zeros((2, 28, 28), np.uint8)
    sweep("to_unit_range", data.to_unit_range, dict(images=u8), {
        "images": [("float", u8.astype("float32")), ("int64 300", np.full((2, 2), 300)), ("str", "abc"), ("None", None),
                   ("float 0..1", np.full((2, 2), 0.5))],
    })
    add("to_unit_range[valid]", lambda: data.to_unit_range(np.array([0, 255], np.uint8)), OK(lambda r: r.tolist() == [-1.0, 1.0]))
    sweep("style_image", data.style_image, dict(name="x"), {"name": [("typo", "starry_nite"), ("None", None), ("int", 3),
                                                                      ("path", "../../etc/passwd")]})

    # ---- viz --------------------------------------------------------------
    grid_imgs = rng.uniform(-1, 1, size=(4, 6, 6, 1)).astype("float32")
    for fname, fn in (("image_grid", viz.image_grid), ("show_images", viz.show_images)):
        sweep(fname, fn, dict(images=grid_imgs), {
            "images": bad_arrays(grid_imgs, (0, 6, 6, 1), ranks=[(6,), (1, 2, 6, 6, 1), (4, 6, 6, 2)]) + [
                ("0..255", (grid_imgs + 1) * 127.5)],
            "ncols": BAD_POSITIVE_INT,
            "value_range": [("reversed", (1, -1)), ("str", "abc"), ("one", (0,)), ("nan", (0, math.nan))],
        })
    sweep("image_grid.pad", viz.image_grid, dict(images=grid_imgs), {"pad": BAD_NONNEG_INT})
    sweep("image_grid.0..255 as [0, 1]", viz.image_grid, dict(images=grid_imgs, value_range=(0, 1)), {
        "images": [("0..255", (grid_imgs + 1) * 127.5)]})
    sweep("show_images.titles", viz.show_images, dict(images=grid_imgs), {"titles": [("too few", ["a"]), ("str", "abcd")]})
    add("image_grid[uint8 range]", lambda: viz.image_grid(np.full((1, 2, 2, 1), 255, np.uint8), value_range="uint8", pad=0),
        OK(lambda r: np.allclose(r, 1.0), "255 is white"))
    add("image_grid[clip slight overshoot]", lambda: viz.image_grid(np.full((1, 2, 2, 1), 1.01), value_range=(-1, 1), pad=0),
        OK(lambda r: np.allclose(r, 1.0), "clipped to 1"))
    sweep("plot_history", viz.plot_history, dict(history={"d_loss": [1.0, 0.5]}), {
        "history": [("empty", {}), ("None", None), ("str", "abc"), ("empty list", {"d_loss": []})],
        "keys": [("unknown", ["zz"]), ("unknown str", "zz")],
    })

    # ---- models -----------------------------------------------------------
    gen_fields = {
        "latent_dim": BAD_POSITIVE_INT, "architecture": BAD_CHOICE, "image_size": BAD_POSITIVE_INT + [("30", 30)],
        "channels": BAD_POSITIVE_INT, "kernel_size": BAD_POSITIVE_INT, "upsampling": BAD_CHOICE, "activation": BAD_CHOICE,
        "negative_slope": BAD_UNIT_FLOAT, "batchnorm": BAD_BOOL, "init_stddev": BAD_POSITIVE_FLOAT,
        "dropout": BAD_UNIT_FLOAT + [("1", 1.0)], "seed": BAD_SEED,
        "filters": [("empty", ()), ("str", "128"), ("list", [128, 64]), ("0", (0, 64)), ("float", (128.0, 64)),
                    ("huge", (200000, 64)), ("None", None)],
    }
    sweep("GeneratorConfig", models.GeneratorConfig, {}, gen_fields)
    sweep("GeneratorConfig.huge image", models.GeneratorConfig, dict(filters=(8,)), {"image_size": [("2**16", 2**16)]})
    disc_fields = {k: v for k, v in gen_fields.items() if k not in ("latent_dim", "upsampling")}
    disc_fields["patch_output"] = BAD_BOOL
    disc_fields["filters"] = [f if f[0] != "huge" else ("huge", (200000, 200000)) for f in disc_fields["filters"]]
    sweep("DiscriminatorConfig", models.DiscriminatorConfig, {}, disc_fields)
    sweep("make_generator", models.make_generator, {}, {"config": [("str", "dcgan"), ("disc config", models.DiscriminatorConfig()),
                                                                     ("dict", {"latent_dim": 3})]})
    sweep("make_discriminator", models.make_discriminator, {}, {"config": [("str", "dcgan"), ("gen config", models.GeneratorConfig())]})
    sweep("sample_latent", models.sample_latent, dict(n=2, latent_dim=100), {
        "n": BAD_POSITIVE_INT + [("2*10**7", 2 * 10**7)], "latent_dim": BAD_POSITIVE_INT + [("10**10", 10**10)], "seed": BAD_SEED,
    })
    add("sample_latent[valid]", lambda: models.sample_latent(2, 3, seed=0),
        OK(lambda r: r.shape == (2, 3) and r.dtype == np.float32 and np.allclose(r, np.random.default_rng(0).standard_normal((2, 3)))))
    z = np.array([1.0, 0.0])
    sweep("interpolate", models.interpolate, dict(z0=z, z1=z[::-1].copy(), steps=3), {
        "z0": bad_arrays(z, (0,), ranks=[(2, 2)]), "z1": bad_arrays(z, ranks=[(3,)]),
        "steps": BAD_POSITIVE_INT + [("1", 1), ("10**10", 10**10)], "kind": BAD_CHOICE,
    })
    sweep("slerp", models.slerp, dict(z0=z, z1=z[::-1].copy(), t=0.5), {
        "z0": bad_arrays(z, (0,)), "z1": bad_arrays(z, ranks=[(3,)]),
        "t": [("nan", math.nan), ("inf", math.inf), ("str", "a"), ("None", None), ("2", 2.0), ("-1", -1.0), ("empty", [])],
    })
    add("slerp[valid]", lambda: models.slerp(z, z[::-1].copy(), 0.5), OK(lambda r: np.allclose(r, [0.5**0.5] * 2)))
    sweep("expected_latent_norm", models.expected_latent_norm, dict(latent_dim=3), {"latent_dim": BAD_POSITIVE_INT})
    for fname, fn in (("conv_output_size", models.conv_output_size), ("conv_transpose_output_size", models.conv_transpose_output_size)):
        sweep(fname, fn, dict(size=8, kernel_size=3), {
            "size": BAD_POSITIVE_INT, "kernel_size": BAD_POSITIVE_INT, "strides": BAD_POSITIVE_INT, "padding": BAD_CHOICE})
    add("conv_output_size[kernel > size]", lambda: models.conv_output_size(3, 5), "kernel_size")
    sweep("unet_valid_size", models.unet_valid_size, dict(size=64, depth=2), {"size": BAD_POSITIVE_INT, "depth": BAD_POSITIVE_INT})
    for fname, fn in (("receptive_field", models.receptive_field), ("layer_table", models.layer_table),
                      ("multiply_adds", models.multiply_adds), ("format_layer_table", models.format_layer_table)):
        sweep(fname, fn, {}, {"model": [("str", "generator"), ("None", None), ("int", 3)]})
    sweep("UNetConfig", models.UNetConfig, {}, {
        "channels": BAD_POSITIVE_INT, "base_filters": BAD_POSITIVE_INT, "depth": BAD_POSITIVE_INT, "max_filters": BAD_POSITIVE_INT,
        "output_activation": BAD_CHOICE, "residual": BAD_BOOL, "tone_curve_knots": BAD_NONNEG_INT, "histogram_window": BAD_NONNEG_INT,
        "seed": BAD_SEED})
    sweep("PatchGANConfig", models.PatchGANConfig, {}, {
        "channels": BAD_POSITIVE_INT, "base_filters": BAD_POSITIVE_INT, "n_down": BAD_POSITIVE_INT, "seed": BAD_SEED})
    sweep("make_unet_generator", models.make_unet_generator, {}, {"config": [("str", "unet"), ("patch config", models.PatchGANConfig())]})
    sweep("make_patchgan_discriminator", models.make_patchgan_discriminator, {}, {"config": [("str", "x"), ("unet", models.UNetConfig())]})
    sweep("MappingConfig", models.MappingConfig, {}, {
        "latent_dim": BAD_POSITIVE_INT, "w_dim": BAD_POSITIVE_INT, "num_layers": BAD_POSITIVE_INT,
        "lr_multiplier": BAD_POSITIVE_FLOAT, "negative_slope": BAD_UNIT_FLOAT, "pixel_norm": BAD_BOOL, "seed": BAD_SEED})
    sweep("EqualizedDense", models.EqualizedDense, dict(units=4), {
        "units": BAD_POSITIVE_INT, "lr_multiplier": BAD_POSITIVE_FLOAT, "activation": BAD_CHOICE, "use_bias": BAD_BOOL})
    sweep("EqualizedConv2D", models.EqualizedConv2D, dict(filters=4, kernel_size=3), {
        "filters": BAD_POSITIVE_INT, "kernel_size": BAD_POSITIVE_INT, "lr_multiplier": BAD_POSITIVE_FLOAT, "activation": BAD_CHOICE})
    sweep("PixelNorm", models.PixelNorm, {}, {"epsilon": BAD_NONNEG_FLOAT})
    sweep("AdaIN", models.AdaIN, {}, {"epsilon": BAD_NONNEG_FLOAT})
    sweep("ModulatedConv2D", models.ModulatedConv2D, dict(filters=4, kernel_size=3), {
        "filters": BAD_POSITIVE_INT, "kernel_size": BAD_POSITIVE_INT, "demodulate": BAD_BOOL, "epsilon": BAD_NONNEG_FLOAT})
    sweep("ConstantInput", models.ConstantInput, dict(channels=4), {"channels": BAD_POSITIVE_INT, "size": BAD_POSITIVE_INT})

    # ---- pipeline ---------------------------------------------------------
    x = rng.uniform(-1, 1, size=(4, 2, 2, 1)).astype("float32")
    sweep("check_images", pipeline.check_images, dict(x=x, shape=(2, 2, 1)), {
        "x": bad_arrays(x, (0, 2, 2, 1), ranks=[(4, 3, 3, 1), (2, 2, 1)]) + [("0..255", (x + 1) * 127.5), ("uint8", np.zeros((4, 2, 2, 1), np.uint8))],
    })
    pairs = (x[..., :1] * 0 + 0.5, x * 0 + 0.25)
    sweep("check_image_pairs", pipeline.check_image_pairs, dict(x=pairs), {
        "x": [("one array", x), ("mismatch", (pairs[0], pairs[1][:, :1])), ("0..255", (pairs[0] * 255, pairs[1])),
              ("nan", (with_nan(pairs[0]), pairs[1])), ("None", None), ("triple", (pairs[0],) * 3)],
        "size_multiple": BAD_POSITIVE_INT,
    })
    arrays = (np.zeros((8, 2)),)
    sweep("epoch_batches", lambda **k: next(iter(pipeline.epoch_batches(**k))), dict(arrays=arrays, batch_size=4, epochs=1), {
        "batch_size": BAD_POSITIVE_INT + [("9 > N", 9)], "epochs": BAD_POSITIVE_INT,
        "arrays": [("mismatched", (np.zeros((8, 2)), np.zeros((7,)))), ("empty", ())],
        "seed": BAD_SEED, "initial_epoch": BAD_NONNEG_INT,
    })
    add("is_dataset[anything]", lambda: pipeline.is_dataset("abc"), OK(lambda r: r is False))

    # ---- stability --------------------------------------------------------
    sweep("deep_mlp", stability.deep_mlp, dict(depth=2, width=4, input_dim=3, outputs=2), {
        "depth": BAD_POSITIVE_INT, "width": BAD_POSITIVE_INT, "activation": BAD_CHOICE, "init_std": BAD_POSITIVE_FLOAT,
        "dropout": BAD_UNIT_FLOAT + [("1", 1.0)], "l2": BAD_NONNEG_FLOAT, "input_dim": BAD_POSITIVE_INT,
        "outputs": BAD_POSITIVE_INT, "batchnorm": BAD_BOOL, "seed": BAD_SEED})
    mlp = stability.deep_mlp(depth=2, width=4, input_dim=3, outputs=1, init_std=0.3)
    xs = rng.normal(size=(8, 3)).astype("float32")

    def mse(m, b):
        return keras.ops.mean((m(b, training=True) - 1.0) ** 2)

    sweep("train_and_record", stability.train_and_record,
          dict(model=mlp, loss_fn=mse, optimizer=lambda: keras.optimizers.SGD(0.01), batches=[xs], steps=1), {
              "steps": BAD_POSITIVE_INT + [("10**12", 10**12)], "batches": [("empty", []), ("None", None)],
              "model": [("str", "mlp"), ("None", None)], "loss_fn": [("str", "mse"), ("None", None)],
              "optimizer": [("str", "sgd"), ("negative lr", lambda: keras.optimizers.SGD(-0.1)),
                            ("nan lr", lambda: keras.optimizers.SGD(float("nan")))],
              "learning_rate": [("float", 0.1), ("negative schedule", lambda: (lambda step: -0.1)),
                                ("nan schedule", lambda: (lambda step: float("nan"))), ("str schedule", lambda: (lambda s: "a"))],
          }, lazy=("optimizer",))
    sweep("layer_gradient_norms", stability.layer_gradient_norms, dict(model=mlp, loss_fn=lambda out: keras.ops.mean(out), inputs=xs), {
        "model": [("str", "mlp"), ("None", None)], "loss_fn": [("str", "mse"), ("None", None)],
    })
    sweep("first_nonfinite", stability.first_nonfinite, dict(values=[1.0, 2.0]), {
        "values": [("str", "abc"), ("None", None), ("object", [object()]), ("complex", [1j])]})
    add("first_nonfinite[valid]", lambda: stability.first_nonfinite([1.0, math.inf, math.nan]), OK(lambda r: r == 1))

    # ---- checkpoints ------------------------------------------------------
    good_meta = {"epoch": 1, "lr_scale": 1.0, "history": []}

    def state(arrays=(np.zeros(2),), names=("v",), meta=good_meta):
        return {"arrays": list(arrays), "names": list(names), "meta": dict(meta)}

    for label, st in [
        ("NaN arrays", state(arrays=(np.full(2, np.nan),))), ("inf arrays", state(arrays=(np.array([0, np.inf]),))),
        ("epoch -5", state(meta={**good_meta, "epoch": -5})), ("epoch 1.5", state(meta={**good_meta, "epoch": 1.5})),
        ("epoch str", state(meta={**good_meta, "epoch": "1"})), ("lr_scale -1", state(meta={**good_meta, "lr_scale": -1.0})),
        ("lr_scale 0", state(meta={**good_meta, "lr_scale": 0.0})), ("lr_scale nan", state(meta={**good_meta, "lr_scale": math.nan})),
        ("lr_scale 2", state(meta={**good_meta, "lr_scale": 2.0})), ("no history", state(meta={"epoch": 1, "lr_scale": 1.0})),
        ("None", None), ("list", []), ("no meta", {"arrays": [], "names": []}),
        ("strings", state(arrays=(np.array(["a"]),))), ("length mismatch", state(names=("a", "b"))),
    ]:
        add(f"restore_state[state={label}]", lambda st=st: checkpoints.restore_state(None, st), "state")
    sweep("CheckpointManager", checkpoints.CheckpointManager, dict(directory="/tmp/sg-bad-input-ckpt"), {
        "keep": BAD_POSITIVE_INT + [("1", 1)], "directory": [("None", None), ("int", 3)]})

    # ---- training ---------------------------------------------------------
    sweep("TrainConfig", training.TrainConfig, {}, {
        "epochs": BAD_POSITIVE_INT, "batch_size": BAD_POSITIVE_INT, "learning_rate": BAD_POSITIVE_FLOAT + [("1e30", 1e30)],
        "beta_1": BAD_UNIT_FLOAT + [("1", 1.0)], "beta_2": BAD_UNIT_FLOAT + [("1", 1.0)], "schedule": BAD_CHOICE, "seed": BAD_SEED,
        "mixed_precision": BAD_CHOICE, "label_smoothing": BAD_NONNEG_FLOAT + [("0.5", 0.5)],
        "ema_decay": [("-1", -1.0), ("1", 1.0), ("str", "a"), ("nan", math.nan)], "r1_weight": BAD_NONNEG_FLOAT,
        "r1_interval": BAD_POSITIVE_INT, "d_learning_rate": [b for b in BAD_POSITIVE_FLOAT if b[0] != "None"] + [("1e30", 1e30)]})  # None: learning_rate
    add("TrainConfig[d_learning_rate=None]", lambda: training.make_optimizers(training.TrainConfig(mixed_precision="off")),
        OK(lambda r: float(r[0].learning_rate) == float(r[1].learning_rate) and abs(float(r[1].learning_rate) - 2e-4) < 1e-9,
           "the generator's rate"))
    sweep("learning_rate_at", training.learning_rate_at, dict(epoch=0, base=2e-4, schedule="halve_per_epoch"), {
        "epoch": BAD_NONNEG_INT, "base": BAD_POSITIVE_FLOAT + [("abc", "abc")], "schedule": BAD_CHOICE})
    sweep("learning_rate_at.cosine", training.learning_rate_at, dict(epoch=0, base=2e-4, schedule="cosine", epochs=4), {
        "epochs": BAD_POSITIVE_INT})
    add("learning_rate_at[valid]", lambda: training.learning_rate_at(2, 2e-4, "halve_per_epoch"), OK(lambda r: abs(r - 5e-5) < 1e-12))
    for label, value in (("-5", -5), ("1.5", 1.5), ("str", "3")):
        add(f"TrainingState[epochs_done={label}]", lambda value=value: training.TrainingState(epochs_done=value), "epochs_done")
    for label, value in (("-1", -1.0), ("0", 0.0), ("nan", math.nan), ("2", 2.0), ("str", "1")):
        add(f"TrainingState[lr_scale={label}]", lambda value=value: training.TrainingState(lr_scale=value), "lr_scale")
    sweep("resolve_mixed_precision", training.resolve_mixed_precision, {}, {"mixed_precision": BAD_CHOICE})
    sweep("discriminator_probabilities", training.discriminator_probabilities, dict(real_logits=logits, fake_logits=logits), {
        "real_logits": bad_arrays(logits, (0, 1)), "fake_logits": bad_arrays(logits, (0, 1))})
    sweep("make_optimizers", training.make_optimizers, {}, {"config": [("str", "adam"), ("None", None), ("dict", {"learning_rate": 1})]})

    # ---- callbacks --------------------------------------------------------
    for fname, cls, extra in (("LiveLossPlot", callbacks.LiveLossPlot, dict(show=False)), ("ProgressBar", callbacks.ProgressBar, {}),
                              ("NonFiniteGuard", callbacks.NonFiniteGuard, {})):
        sweep(fname, cls, extra, {"keys": [("int", 3), ("empty", ()), ("None", None), ("empty name", ("",)), ("mixed", ("d_loss", 3))]})
        add(f"{fname}[keys=bare string]", lambda cls=cls, extra=extra: cls(keys="d_loss", **extra).keys,
            OK(lambda r: tuple(r) == ("d_loss",), "one name, not six letters"))
    def guard_begins(keys):  # the guard checks its keys against what the trainer logs when training begins
        import types

        guard = callbacks.NonFiniteGuard(keys=keys)
        guard.set_model(types.SimpleNamespace(metrics=[types.SimpleNamespace(name="d_loss"), types.SimpleNamespace(name="g_loss")]))
        guard.on_train_begin()

    for label, keys in (("typo", ("dloss",)), ("typo str", "dloss"), ("one of two", ("d_loss", "g_los"))):
        add(f"NonFiniteGuard.on_train_begin[keys={label}]", lambda keys=keys: guard_begins(keys), "keys")
    sweep("NonFiniteGuard.args", callbacks.NonFiniteGuard, {}, {"factor": BAD_POSITIVE_FLOAT + [("1", 1.0), ("2", 2.0)],
                                                              "max_retries": BAD_NONNEG_INT})
    sweep("LiveLossPlot.args", callbacks.LiveLossPlot, dict(show=False), {"redraw_every": BAD_POSITIVE_INT, "show": BAD_BOOL})
    sweep("SampleGrid", callbacks.SampleGrid, dict(show=False), {
        "num_samples": BAD_POSITIVE_INT, "ncols": BAD_POSITIVE_INT, "every": BAD_POSITIVE_INT, "scale": BAD_POSITIVE_INT,
        "seed": BAD_SEED, "show": BAD_BOOL})
    sweep("ProgressGif", callbacks.ProgressGif, dict(path="/tmp/sg-bad-input.gif"), {
        "num_samples": BAD_POSITIVE_INT, "ncols": BAD_POSITIVE_INT, "scale": BAD_POSITIVE_INT, "duration_ms": BAD_POSITIVE_INT,
        "path": [("None", None), ("int", 3)]})
    sweep("FIDMonitor", callbacks.FIDMonitor, {}, {"every": BAD_POSITIVE_INT, "num_samples": BAD_POSITIVE_INT + [("1", 1)],
                                                   "fid_fn": [("str", "fid"), ("int", 3)], "seed": BAD_SEED})
    sweep("Checkpoint", callbacks.Checkpoint, dict(directory="/tmp/sg-bad-input-ckpt"), {
        "keep": BAD_POSITIVE_INT + [("1", 1)], "directory": [("None", None), ("int", 3)]})
    sweep("HistoryJson", callbacks.HistoryJson, dict(path="/tmp/sg-bad-input.json"), {"path": [("None", None), ("int", 3)]})

    # ---- gan --------------------------------------------------------------
    sweep("GANLossConfig", gan.GANLossConfig, {}, {"saturating": BAD_BOOL, "style_weight": BAD_NONNEG_FLOAT, "tv_weight": BAD_NONNEG_FLOAT})
    sweep("make_gan", gan.make_gan, {}, {"config": [("str", "dcgan"), ("int", 3)], "loss_config": [("str", "x"), ("dict", {})]})
    sweep("train_mnist", gan.train_mnist, dict(config=training.TrainConfig(epochs=1, batch_size=4), out_dir="/tmp/sg-bad-input-run",
                                                images=np.zeros((8, 28, 28), np.uint8)), {
        "config": [("str", "x"), ("None", None)],
        "images": [("nan float", with_nan(np.zeros((8, 28, 28)))), ("0..255 float", np.full((8, 28, 28), 255.0)),
                   ("wrong shape", np.zeros((8, 32, 32), np.uint8)), ("empty", np.zeros((0, 28, 28), np.uint8))],
        "fid_every": BAD_NONNEG_INT, "fid_num_samples": BAD_POSITIVE_INT + [("1", 1)], "resume": BAD_BOOL,
        "out_dir": [("None", None), ("int", 3), ("a file", __file__)]})
    sweep("feature_statistics_loss", gan.feature_statistics_loss, dict(extractor=lambda im: im, fake=imgs, real=imgs), {
        "extractor": [("str", "vgg"), ("None", None)],
        "fake": bad_arrays(imgs, (0, 4, 4, 1)), "real": bad_arrays(imgs, (0, 4, 4, 1))})

    # ---- conditional ------------------------------------------------------
    sweep("ConditionalLossConfig", conditional.ConditionalLossConfig, {}, {
        "adversarial": BAD_NONNEG_FLOAT, "l1": BAD_NONNEG_FLOAT, "content": BAD_NONNEG_FLOAT, "style": BAD_NONNEG_FLOAT,
        "tv": BAD_NONNEG_FLOAT, "margin": BAD_NONNEG_INT,
        "content_layers": [("typo", ("block1_convv2",)), ("str", "block1_conv2"), ("list", ["block1_conv2"]), ("int", (3,))],
        "style_layers": [("typo", ("zz",)), ("str", "block1_conv2")]})
    sweep("centre", conditional.centre, dict(images=np.zeros((1, 8, 8, 1)), margin=1), {
        "margin": BAD_NONNEG_INT + [("4 = half", 4)], "images": [("rank 3", np.zeros((8, 8, 1)))]})
    sweep("make_perceptual_extractor", conditional.make_perceptual_extractor, {}, {"config": [("str", "x"), ("None", None)]})

    # ---- features ---------------------------------------------------------
    rgb = rng.uniform(size=(1, 32, 32, 3)).astype("float32")
    sweep("caffe_preprocess", features.caffe_preprocess, dict(images=rgb), {
        "images": bad_arrays(rgb, (0, 32, 32, 3), ranks=[(32, 32, 3), (1, 32, 32, 1), (1, 32, 32, 4)]) + [
            ("0..255", rgb * 255), ("[-1, 1]", rgb * 2 - 1)]})
    add("caffe_preprocess[valid]", lambda: np.asarray(features.caffe_preprocess(np.zeros((1, 1, 1, 3), "float32"))).ravel(),
        OK(lambda r: np.allclose(r, [-103.939, -116.779, -123.68], atol=1e-3)))
    for fname, fn, extra in (("vgg_extractor", features.vgg_extractor, {}), ("vgg16_extractor", features.vgg16_extractor, {})):
        sweep(fname, fn, dict(layers=["block1_conv1"], vgg_weights=None), {
            "layers": [("typo", ["block1_convv1"]), ("empty", []), ("typo str", "zz"), ("None", None), ("int", 3)],
            "vgg_weights": [("missing file", "/nonexistent.h5"), ("int", 3), ("typo", "imagenett")], "seed": BAD_SEED[1:]})
    sweep("vgg_extractor.network", features.vgg_extractor, dict(layers=["block1_conv1"], vgg_weights=None), {"network": BAD_CHOICE})
    sweep("FeatureNetConfig", features.FeatureNetConfig, {}, {
        "filters": [("one", (32,)), ("0", (0, 64)), ("str", "32")], "features": BAD_POSITIVE_INT,
        "classes": BAD_POSITIVE_INT + [("1", 1)], "dropout": BAD_UNIT_FLOAT + [("1", 1.0)], "batch_norm": BAD_BOOL})
    sweep("build_feature_net", features.build_feature_net, {}, {"dataset": BAD_CHOICE})
    sweep("penultimate_features", features.penultimate_features, dict(images=digits), {
        "images": bad_arrays(digits, ranks=[(3, 32, 32, 1)]) + [("0..255", np.full((3, 28, 28, 1), 255.0))],
        "dataset": BAD_CHOICE, "batch_size": BAD_POSITIVE_INT})
    sweep("mnist_features", features.mnist_features, dict(images=digits), {
        "images": [("0..255", np.full((3, 28, 28, 1), 255.0)), ("nan", with_nan(digits))], "batch_size": BAD_POSITIVE_INT})
    sweep("mnist_feature_split", features.mnist_feature_split, {}, {"num_samples": BAD_POSITIVE_INT})

    # ---- pretrained -------------------------------------------------------
    sweep("clahe_generator", pretrained.clahe_generator, {}, {
        "variant": BAD_CHOICE + [("U-Net name", "full GAN")],
        "seed": [("3", 3), ("-1", -1), ("str", "0"), ("None", None), ("1.5", 1.5)]})
    add("clahe_generator[restore, seed=3]", lambda: pretrained.clahe_generator("restore", seed=3), "seed")
    sweep("feature_net", pretrained.feature_net, {}, {"dataset": BAD_CHOICE})
    sweep("fid_statistics", pretrained.fid_statistics, {}, {"dataset": BAD_CHOICE})
    sweep("asset_path", pretrained.asset_path, {}, {"name": [("outside", "../pretrained.py"), ("int", 3),
                                                             ("None", None), ("absolute", "/etc/passwd")]})

    # ---- style statistics, style transfer, pixel optimisation ----------------
    sweep("channel_mean_std", style_statistics.channel_mean_std, dict(features=fmap), {
        "features": bad_arrays(fmap, (0, 3, 3, 4), ranks=[(3, 3, 4)]), "epsilon": BAD_NONNEG_FLOAT})
    sweep("instance_normalize", style_statistics.instance_normalize, dict(features=fmap), {
        "features": bad_arrays(fmap, (0, 3, 3, 4), ranks=[(3, 3, 4)]), "epsilon": BAD_NONNEG_FLOAT})
    sweep("adain", style_statistics.adain, dict(content=fmap, style=fmap[:1]), {
        "content": bad_arrays(fmap, (0, 3, 3, 4), ranks=[(3, 3, 4)]),
        "style": bad_arrays(fmap, (0, 3, 3, 4), ranks=[(3, 3, 4), (1, 3, 3, 5)]), "epsilon": BAD_NONNEG_FLOAT})
    photo = rng.uniform(size=(40, 48, 3)).astype("float32")
    sweep("resize_long_side", style_transfer.resize_long_side, dict(image=photo, size=64), {
        "image": bad_arrays(photo, (0, 0, 3), ranks=[(40, 48, 3, 1)]) + [("0..255", photo * 255)],
        "size": BAD_POSITIVE_INT + [("10**6", 10**6)]})
    sweep("load_image", style_transfer.load_image, dict(image=photo, size=64), {
        "image": [("0..255", photo * 255), ("nan", with_nan(photo)), ("typo", "astronautt"), ("missing file", "/nonexistent.png"),
                  ("None", None), ("int", 3), ("complex", photo.astype(complex))],
        "size": [b for b in BAD_POSITIVE_INT if b[0] != "None"]})  # None: no resizing
    sweep("StyleTransferConfig", po.StyleTransferConfig, {}, {
        "steps": BAD_POSITIVE_INT, "learning_rate": BAD_POSITIVE_FLOAT + [("1e30", 1e30)], "init": BAD_CHOICE,
        "tv_kind": BAD_CHOICE, "style_statistic": BAD_CHOICE, "content_target": BAD_CHOICE, "network": BAD_CHOICE,
        "seed": BAD_SEED, "normalise": BAD_BOOL, "jit_compile": BAD_BOOL[:2],
        "weights": [("tuple", (1, 10, 0.5)), ("None", None)], "size": BAD_POSITIVE_INT[:3] + [("10**6", 10**6)],
        "content_layers": [("typo", ("block4_convv2",)), ("empty str", ("",)), ("int", 3)],
        "style_layers": [("typo", ("block1_conv9",)), ("int", (3,))]})
    add("StyleTransferConfig[content_layers=bare string]", lambda: po.StyleTransferConfig(content_layers="block4_conv2").content_layers,
        OK(lambda r: tuple(r) == ("block4_conv2",), "one layer"))

    # ---- clahe ------------------------------------------------------------
    grey = rng.uniform(size=(32, 32)).astype("float32")
    img_bad = bad_arrays(grey, (0, 0), ranks=[(32,), (1, 32, 32, 1), (32, 32, 2)]) + [("0..255 float", grey * 255),
                                                                                      ("negative", grey - 0.5)]
    sweep("clahe", C.clahe, dict(image=grey, tile_grid=(2, 2)), {
        "image": img_bad, "clip_limit": BAD_POSITIVE_FLOAT + [("2", 2.0)], "backend": BAD_CHOICE,
        "tile_grid": [("0", (0, 2)), ("str", "8x8"), ("one", (2,)), ("float", (2.5, 2)), ("too many", (64, 64)), ("None", None)]})
    for fname, fn in (("global_equalize", C.global_equalize), ("to_luminance", C.to_luminance), ("random_tone", C.random_tone)):
        sweep(fname, fn, dict(image=grey), {"image": img_bad})
    sweep("low_contrast", C.low_contrast, dict(image=grey), {
        "image": img_bad, "kind": BAD_CHOICE, "strength": BAD_UNIT_FLOAT, "seed": BAD_SEED})
    sweep("damage", C.damage, dict(image=grey), {
        "image": img_bad, "kind": BAD_CHOICE + [("contrast kind", "gamma")], "strength": BAD_UNIT_FLOAT, "seed": BAD_SEED})
    sweep("classical_pipeline", C.classical_pipeline, dict(name="CLAHE"), {
        "name": BAD_CHOICE + [("no CLAHE", "NL-means")], "target": [("str", "clahe"), ("dict", {}), ("None", None)]})
    for pname, pipeline_fn in C.CLASSICAL_PIPELINES.items():
        sweep(f"CLASSICAL_PIPELINES[{pname!r}]", pipeline_fn, dict(image=grey), {"image": img_bad})
    sweep("clip_histogram", C.clip_histogram, dict(hist=np.ones(8), clip_limit=0.5), {
        "hist": bad_arrays(np.ones(8), (0,), ranks=[(2, 4)]) + [("negative", -np.ones(8))], "clip_limit": BAD_POSITIVE_FLOAT})
    sweep("opencv_clip_limit", C.opencv_clip_limit, dict(clip_limit=0.01), {"clip_limit": BAD_POSITIVE_FLOAT + [("2", 2.0)],
                                                                           "nbins": BAD_POSITIVE_INT})
    sweep("ClaheTarget", C.ClaheTarget, {}, {"clip_limit": BAD_POSITIVE_FLOAT + [("2", 2.0)], "tile_px": BAD_POSITIVE_INT,
                                             "backend": BAD_CHOICE})
    sweep("tile_grid_for", C.tile_grid_for, dict(shape=(64, 64)), {
        "shape": [("0", (0, 64)), ("str", "64x64"), ("None", None), ("one", (64,))], "tile_px": BAD_POSITIVE_INT})
    sweep("clahe_target", C.clahe_target, dict(image=grey), {"image": img_bad, "target": [("str", "clahe"), ("dict", {})]})
    sweep("load_photos", C.load_photos, dict(names=("camera",)), {
        "names": [("typo", ("cameraa",)), ("int", (3,)), ("empty", ())], "max_side": BAD_POSITIVE_INT + [("10", 10)]})
    big = rng.uniform(size=(64, 64)).astype("float32")
    sweep("clahe_pairs", C.clahe_pairs, dict(images=[big]), {
        "kinds": [("typo", ("fog",)), ("typo str", "fog"), ("empty", ()), ("int", 3)], "patch": BAD_CHOICE[:3] + [("50", 50)],
        "batch_size": BAD_POSITIVE_INT, "max_strength": BAD_UNIT_FLOAT, "clean_fraction": BAD_UNIT_FLOAT,
        "images": [("small", [grey]), ("nan", [with_nan(big)]), ("0..255", [big * 255])], "target": [("str", "x")]})
    add("clahe_pairs[kinds=bare string]", lambda: C.clahe_pairs([big], kinds="gamma", batch_size=2),
        OK(lambda r: r is not None, "one kind"))
    sweep("evaluation_pairs", C.evaluation_pairs, dict(photos={"flat": np.full((64, 64), 0.5, "float32")}), {
        "setting": BAD_CHOICE + [("restore", "restore")], "strength": BAD_UNIT_FLOAT, "target": [("str", "x")],
        "photos": [("nan", {"a": with_nan(big)}), ("0..255", {"a": big * 255})]})
    add("evaluation_pairs[restoration, strength=2]",
        lambda: C.evaluation_pairs({"flat": np.full((64, 64), 0.5, "float32")}, "restoration", strength=2.0), "strength")
    pair = {"p": (grey, grey)}
    sweep("evaluate", C.evaluate, dict(methods={"id": lambda im: im}, pairs=pair), {
        "methods": [("returns NaN", {"nan": lambda im: im * np.nan}), ("returns None", {"none": lambda im: None}),
                    ("returns 0..255", {"x255": lambda im: im * 255}), ("wrong shape", {"crop": lambda im: im[:8]}),
                    ("not callable", {"x": 3}), ("empty", {}), ("list", [lambda im: im]), ("returns str", {"s": lambda im: "abc"})],
        "pairs": [("empty", {}), ("nan target", {"p": (grey, with_nan(grey))}), ("0..255", {"p": (grey * 255, grey)}),
                  ("not a pair", {"p": grey}), ("list", [(grey, grey)])]})
    add("evaluate[identity]", lambda: C.evaluate({"id": lambda im: im}, pair)[0]["ssim"], OK(lambda r: r == 1.0))
    sweep("generator_config_for", C.generator_config_for, {}, {"variant": BAD_CHOICE + [("U-Net name", "full GAN")]})
    add("generator_config_for[restore]", lambda: C.generator_config_for("restore"),
        OK(lambda r: r is C.RESTORE_CONFIG and r.restore_filters > 0, "the restoring config"))
    # ---- the tone grid (the learned model) ----------------------------------
    sweep("ToneGridConfig", C.ToneGridConfig, {}, {
        "tile_px": BAD_POSITIVE_INT + [("1", 1)], "nbins": BAD_POSITIVE_INT + [("1", 1), ("2**14 + 1", 2**14 + 1)],
        "features": BAD_POSITIVE_INT, "hidden": BAD_POSITIVE_INT, "restore_filters": BAD_NONNEG_INT,
        "restore_levels": BAD_POSITIVE_INT, "restore_repairs": [("unknown name", ("median",)), ("an int", 3),
                                                                  ("without a U-Net (restore_filters 0)", ("TV",))],
        "restore_context": [("int 1", 1), ("str", "yes"), ("without a U-Net (restore_filters 0)", True)],
        "seed": BAD_SEED + [("None", None)]})
    add("ToneGridConfig[nbins=2**14]", lambda: C.ToneGridConfig(nbins=2**14).bins, OK(lambda r: r == 2**13, "8,192 bins"))
    sweep("bin_width", C.bin_width, dict(nbins=256), {"nbins": BAD_POSITIVE_INT + [("1", 1)]})
    sweep("tile_layout", C.tile_layout, dict(shape=(64, 64)), {
        "shape": [("0", (0, 64)), ("str", "64x64"), ("one", (64,)), ("float", (64.0, 64))], "tile_px": BAD_POSITIVE_INT})
    sweep("CurveNet", C.CurveNet, {}, {"features": BAD_POSITIVE_INT, "hidden": BAD_POSITIVE_INT})
    sweep("make_tone_grid_enhancer", C.make_tone_grid_enhancer, {}, {
        "config": [("str", "tone grid"), ("dict", {"tile_px": 64}), ("None", None),
                   ("unet config", lambda: __import__("stylegan_edu.models", fromlist=["x"]).UNetConfig())]})
    sweep("enhance", C.enhance, dict(image=grey, model=lambda b, training=False: b, stride=16, tile=32, overlap=8), {
        "image": img_bad, "stride": [b for b in BAD_POSITIVE_INT if b[0] != "None"],  # None: the shipped model's
        "tile": BAD_POSITIVE_INT + [("not multiple", 40)],
        "overlap": BAD_NONNEG_INT + [("too big", 100)], "batch_size": BAD_POSITIVE_INT, "model": [("str", "gan"), ("int", 3)]})

    # ---- more constructors and helpers ---------------------------------------
    built = {}

    def once(key, make):  # one model per kind for all the constructor cases (they fail before using it)
        return lambda: built[key] if key in built else built.setdefault(key, make())

    from stylegan_edu import _io
    from stylegan_edu.exercises import MultipleChoice, Problem

    sweep("read_idx", data.read_idx, dict(path="/nonexistent-sg.idx"), {
        "path": [("None", None), ("int", 3)], "expected_ndim": [("0", 0), ("str", "3"), ("1.5", 1.5)]})
    sweep("mean_std_style_loss", style_statistics.mean_std_style_loss,
          dict(features=fmap[:1], target_stats=style_statistics.channel_mean_std(fmap[:1])), {
              "layer_weights": [("unknown", {"zz": 1.0}), ("negative", {"features": -1.0})], "squared": BAD_BOOL,
              "epsilon": BAD_NONNEG_FLOAT, "target_stats": [("str", "abc"), ("missing layer", {"zz": 1})]})
    cheap = po.StyleTransferConfig(steps=1, size=48, vgg_weights=None, content_layers=("block1_conv1",),
                                   style_layers=("block1_conv1",))  # a silent case would run one step on random weights
    def identity_features(images):  # a stand-in for VGG: a silent case then costs one cheap step, not a VGG16 build
        return {"block1_conv1": images}

    sweep("stylize", style_transfer.stylize, dict(content=photo, style=photo, config=cheap, progress=False,
                                                  extractor=identity_features), {
        "content": [("0..255", photo * 255), ("typo", "astronautt"), ("None", None)],
        "style": [("nan", with_nan(photo)), ("typo", "starry_nite")],
        "config": [("str", "fast"), ("dict", {"steps": 3})], "callback_every": BAD_POSITIVE_INT,
        "callback": [("str", "print"), ("int", 3)], "progress": BAD_BOOL[:3]})
    sweep("PixelOptimiser", po.PixelOptimiser, dict(content=photo, style=photo, config=cheap), {
        "content": [("0..255", photo * 255), ("typo", "astronautt")], "style": [("nan", with_nan(photo))],
        "config": [("str", "fast")], "extractor": [("str", "vgg"), ("int", 3)]})
    sweep("GAN", gan.GAN, dict(generator=once("g", models.make_generator), discriminator=once("d", models.make_discriminator)), {
        "generator": [("str", "g"), ("None", None)], "discriminator": [("str", "d"), ("None", None)],
        "loss_config": [("str", "x"), ("dict", {})], "seed": BAD_SEED}, lazy=("generator", "discriminator"))
    sweep("ConditionalGAN", conditional.ConditionalGAN, dict(generator=once("unet", lambda: models.make_unet_generator(models.UNetConfig(depth=2))),
                                                             discriminator=once("patch", models.make_patchgan_discriminator)), {
        "loss_config": [("str", "x"), ("dict", {})], "size_multiple": BAD_POSITIVE_INT,
        "generator": [("str", "g")], "discriminator": [("int", 3)]}, lazy=("generator", "discriminator"))
    sweep("MappingNetwork", models.MappingNetwork, {}, {"config": [("str", "x"), ("dict", {"latent_dim": 3})]})
    sweep("NoiseInjection", models.NoiseInjection, {}, {"seed": [("str", "a"), ("1.5", 1.5)]})
    sweep("IntensityBins", models.IntensityBins, dict(knots=4), {"knots": BAD_POSITIVE_INT + [("1", 1)]})
    sweep("png_bytes", _io.png_bytes, dict(image=np.zeros((4, 4))), {
        "image": [("nan", with_nan(np.zeros((4, 4)))), ("0..255 float", np.full((4, 4), 200.0)), ("str", "abc"),
                  ("rank 4", np.zeros((1, 4, 4, 1, 1))), ("None", None)],
        "zoom": BAD_POSITIVE_INT, "value_range": [("reversed", (1, 0)), ("str", "abc")]})
    sweep("atomic_write", _io.atomic_write, dict(path="/tmp/sg-bad-input-aw.txt", content="x"), {
        "path": [("None", None), ("int", 3), ("a folder", "/tmp")], "content": [("int", 3), ("None", None)]})
    sweep("Problem", Problem, dict(title="t", prompt="p", checker=lambda a: None, hint="h", solution="s"), {
        "checker": [("str", "check"), ("None", None)], "title": [("None", None), ("int", 3)]})
    sweep("MultipleChoice", MultipleChoice, dict(title="t", prompt="p", choices=("a", "b"), answer="a", wrong={"b": "no"},
                                                 hint="h", solution="s"), {
        "answer": [("not a choice", "c"), ("None", None)], "wrong": [("missing", {}), ("str", "no")],
        "choices": [("str", "ab"), ("empty", ())]})

    import stylegan_edu

    add("budget[valid]", lambda: stylegan_edu.budget(full=100, quick=10), OK(lambda r: r in (10, 100)))
    sweep("AdversarialTrainer", training.AdversarialTrainer,
          dict(generator=once("g", models.make_generator), discriminator=once("d", models.make_discriminator)), {
              "generator": [("str", "g"), ("None", None)], "discriminator": [("str", "d"), ("int", 3)], "seed": BAD_SEED},
          lazy=("generator", "discriminator"))
    for fname, fn in (("capture_state", checkpoints.capture_state), ("state_variables", checkpoints.state_variables)):
        sweep(fname, fn, {}, {"trainer": [("str", "gan"), ("None", None), ("model", lambda: mlp)]})
    sweep("current_learning_rate", training.current_learning_rate, {}, {"optimizer": [("str", "adam"), ("None", None)]})
    sweep("replica_slice", training.replica_slice, dict(global_values=np.zeros((8, 2)), local_batch=8), {
        "local_batch": BAD_POSITIVE_INT + [("9 > B", 9)], "global_values": [("None", None), ("str", "abc")]})
    sweep("figure_png", _io.figure_png, {}, {"fig": [("str", "fig"), ("None", None)]})

    # ---- widgets and a VGG extractor's call ---------------------------------
    from stylegan_edu import widgets

    sweep("clahe_panel", widgets.clahe_panel, dict(image=grey), {
        "image": img_bad[:8], "clip_limit": BAD_POSITIVE_FLOAT, "max_tiles": BAD_POSITIVE_INT, "backend": BAD_CHOICE})
    sweep("style_transfer_panel", widgets.style_transfer_panel, dict(contents=("camera",)), {
        "contents": [("empty", ()), ("int", 3)], "styles": [("empty", ())], "max_steps": BAD_POSITIVE_INT, "config": [("str", "x")]})
    # one bad image among the choices: named by its dropdown, `content` or `style`
    for label, value in (("typo", ("astronautt",)), ("bare typo", "astronautt"), ("0..255 array", [photo * 255])):
        add(f"style_transfer_panel[contents={label}]", lambda value=value: widgets.style_transfer_panel(contents=value), "content")
    add("style_transfer_panel[styles=typo]", lambda: widgets.style_transfer_panel(contents="camera", styles=("starry_nite",)), "style")
    sweep("latent_explorer", widgets.latent_explorer, {}, {"generator": [("str", "g"), ("None", None), ("int", 3)]})

    def tiny_generator():  # z (8,) -> a 4 x 4 grey image in [-1, 1]
        return keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Reshape((4, 4, 1))])

    sweep("latent_explorer.args", widgets.latent_explorer, dict(generator=once("tiny", tiny_generator)), {
        "dims": [("0", 0), ("9 > latent_dim", 9), ("-1", -1), ("str", "4"), ("index out", [0, 8]), ("float", 1.5)],
        "seed": BAD_SEED, "zoom": BAD_POSITIVE_INT, "slider_range": BAD_POSITIVE_FLOAT,
        "value_range": [("reversed", (1, -1)), ("str", "abc")]}, lazy=("generator",))
    sweep("clahe_panel.tile_grid", widgets.clahe_panel, dict(image=grey), {
        "tile_grid": [("0", (0, 2)), ("str", "8x8"), ("one", (2,)), ("float", (2.5, 2)), ("None", None)]})
    sweep("mixed_loss_panel", widgets.mixed_loss_panel, {}, {"optimiser": [("str", "g"), ("None", None)]})

    # ---- chapter 3: the GAN game on 1-D densities ----
    from stylegan_edu import gan_theory as gt

    grid = np.linspace(-4, 4, 81)
    dens = gt.gaussian_mixture_pdf(grid, [0.0], [1.0])
    bad_grid = [("decreasing", grid[::-1]), ("one point", grid[:1]), ("2-D", grid[None]), ("nan", lambda: grid * math.nan),
                ("str", "abc")]
    bad_density = [("negative", -dens), ("short", dens[:-1]), ("nan", lambda: dens * math.nan), ("inf", lambda: dens * math.inf)]
    sweep("value_function", gt.value_function, dict(d=np.full(81, 0.5), p_data=dens, p_g=dens, x=grid), {
        "x": bad_grid, "p_data": bad_density, "p_g": bad_density,
        "d": [("1.5", np.full(81, 1.5)), ("-0.1", np.full(81, -0.1)), ("short", np.full(80, 0.5)), ("nan", np.full(81, math.nan))]})
    for fname in ("kl_divergence", "js_divergence"):
        sweep(fname, getattr(gt, fname), dict(p=dens, q=dens, x=grid), {"x": bad_grid, "p": bad_density, "q": bad_density})
    sweep("generator_objectives", gt.generator_objectives, dict(p_data=dens, p_g=dens, x=grid), {
        "x": bad_grid, "p_data": bad_density, "p_g": bad_density})
    sweep("optimal_discriminator", gt.optimal_discriminator, dict(p_data=dens, p_g=dens), {
        "p_data": [("negative", -dens), ("nan", lambda: dens * math.nan)], "p_g": bad_density})
    sweep("gaussian_mixture_pdf", gt.gaussian_mixture_pdf, dict(x=grid, means=[0.0, 1.0], stds=[1.0, 2.0]), {
        "stds": [("0", [0.0, 1.0]), ("-1", [-1.0, 1.0]), ("one", [1.0]), ("nan", [math.nan, 1.0])],
        "means": [("nan", [math.nan, 0.0])],
        "weights": [("sum 1.4", [0.7, 0.7]), ("negative", [1.5, -0.5]), ("three", [0.2, 0.3, 0.5])]})

    # ---- chapter 8: the mode-collapse toy (a ring of Gaussians) ----
    from stylegan_edu import mode_coverage as mc

    ring = mc.ring_centers(8)
    pts = mc.ring_of_gaussians(64, seed=0)
    sweep("mode_coverage.ring_centers", mc.ring_centers, dict(num_modes=8, radius=2.0), {
        "num_modes": BAD_POSITIVE_INT, "radius": BAD_POSITIVE_FLOAT})
    sweep("mode_coverage.ring_of_gaussians", mc.ring_of_gaussians, dict(num_samples=10), {
        "num_samples": BAD_POSITIVE_INT + [("10**10", 10**10)], "num_modes": BAD_POSITIVE_INT, "radius": BAD_POSITIVE_FLOAT,
        "std": BAD_POSITIVE_FLOAT, "seed": BAD_SEED})
    sweep("mode_coverage.mode_metrics", mc.mode_metrics, dict(samples=pts, centers=ring, std=0.02), {
        "samples": bad_arrays(pts, (0, 2), ranks=[(64,), (64, 3), (2, 64, 2)]),
        "centers": bad_arrays(ring, (0, 2), ranks=[(8,), (8, 1)]),
        "std": BAD_POSITIVE_FLOAT, "threshold": BAD_POSITIVE_FLOAT, "min_share": BAD_POSITIVE_FLOAT + [("1.5", 1.5)]})
    add("mode_coverage.mode_metrics[valid: 3 sigma exactly]",
        lambda: mc.mode_metrics([[0.06, 0.0]], [[0.0, 0.0]], std=0.02),
        OK(lambda r: r["modes_covered"] == 1 and r["high_quality_share"] == 1.0, "a point at exactly 3 sigma counts"))
    add("mode_coverage.mode_metrics[valid: integer points]", lambda: mc.mode_metrics([[2, 0]], ring, std=0.02),
        OK(lambda r: r["modes_covered"] == 1 and r["mode_shares"][0] == 1.0, "the point (2, 0) is on mode 0"))
    sweep("mode_coverage.ToyGANConfig", mc.ToyGANConfig, {}, {
        "latent_dim": BAD_POSITIVE_INT + [("10**6", 10**6)], "width": BAD_POSITIVE_INT + [("10**6", 10**6)],
        "depth": BAD_POSITIVE_INT + [("1000", 1000)], "spectral_norm": BAD_BOOL, "minibatch_std": BAD_BOOL})
    sweep("mode_coverage.make_toy_models", mc.make_toy_models, {}, {
        "config": [("str", "mlp"), ("dict", {"width": 8}), ("train config", training.TrainConfig())], "seed": BAD_SEED})
    sweep("mode_coverage.make_toy_gan", mc.make_toy_gan, {}, {
        "config": [("str", "mlp"), ("train config", training.TrainConfig())],
        "train_config": [("str", "fast"), ("toy config", mc.ToyGANConfig())]})
    add("mode_coverage.ToyGAN.fit[x=images]", lambda: mc.make_toy_gan(mc.ToyGANConfig(width=4, depth=1)).fit(
        np.zeros((64, 2, 2, 1), "float32"), verbose=0), "x")
    add("mode_coverage.ToyGAN.fit[x=nan]", lambda: mc.make_toy_gan(mc.ToyGANConfig(width=4, depth=1)).fit(
        with_nan(np.zeros((64, 2), "float32")), verbose=0), "x")
    sweep("mode_coverage.run_mode_experiment", mc.run_mode_experiment, dict(steps=4, num_snapshots=2), {
        "recipes": [("empty", {}), ("list", ["plain"]), ("str", "plain"), ("unknown setting", {"a": {"lr": 1}}),
                    ("seed", {"a": {"seed": 3}}), ("epochs", {"a": {"epochs": 3}}), ("not a dict", {"a": 3})],
        "seeds": [("empty", ()), ("repeat", (0, 0)), ("-1", (-1,)), ("float", (0.5,)), ("str", "012"), ("None", None)],
        "steps": BAD_POSITIVE_INT + [("3 not a multiple of 2", 3), ("10**8", 10**8)],
        "num_snapshots": BAD_POSITIVE_INT, "num_modes": BAD_POSITIVE_INT, "radius": BAD_POSITIVE_FLOAT,
        "std": BAD_POSITIVE_FLOAT, "num_samples": BAD_POSITIVE_INT + [("10**7", 10**7)], "progress": BAD_BOOL,
        "model_config": [("str", "mlp"), ("train config", training.TrainConfig())],
        "train_config": [("str", "fast"), ("toy config", mc.ToyGANConfig())]})
    sweep("mode_coverage.metrics_table", mc.metrics_table, {}, {"result": [("dict", {}), ("None", None), ("str", "abc")]})
    snaps = np.zeros((2, 5, 2))
    sweep("plot_samples_over_training", viz.plot_samples_over_training, dict(samples={"a": snaps}, steps=[0, 1]), {
        "samples": [("empty", {}), ("array", snaps), ("rank 2", {"a": np.zeros((5, 2))}), ("3-D points", {"a": np.zeros((2, 5, 3))}),
                    ("nan", {"a": with_nan(snaps)}), ("str", {"a": "abc"}),
                    ("unequal S", {"a": snaps, "b": np.zeros((3, 5, 2))})],
        "steps": [("short", [0]), ("str", "01"), ("None", None), ("int", 2)],
        "centers": [("rank 1", [1.0, 0.0]), ("3-D", np.zeros((8, 3))), ("nan", [[math.nan, 0.0]]), ("str", "ring")],
        "std": [b for b in BAD_POSITIVE_FLOAT if b[0] != "None"],
        "max_points": BAD_POSITIVE_INT})

    # ---- chapter 13: the latent-space tools, the StyleGAN panels, sample quality, the time budget ----
    from stylegan_edu import latent_space

    def tiny_stylegan():
        from stylegan_edu.models import MappingConfig, StyleGANGenerator, StyleGANGeneratorConfig, SynthesisConfig

        g = StyleGANGenerator(StyleGANGeneratorConfig(MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0),
                                                      SynthesisConfig(channels=(8, 8, 8, 8), w_dim=8, seed=0)))
        g.build()
        return g

    sg = once("tiny_stylegan", tiny_stylegan)
    not_a_stylegan = [("str", "g"), ("None", None), ("dense", lambda: tiny_generator())]
    w2 = np.zeros((2, 8), "float32")
    sweep("swap_styles", latent_space.swap_styles, dict(w_a=w2, w_b=w2, indices=[0], num_ws=8), {
        "indices": [("8 = num_ws", [8]), ("-1", [-1]), ("float", [1.5]), ("bool", [True]), ("str", "01"), ("int", 3)],
        "num_ws": BAD_POSITIVE_INT})
    sweep("noise_images", latent_space.noise_images, dict(generator=sg, batch_size=2, seed=0), {
        "generator": not_a_stylegan, "batch_size": BAD_POSITIVE_INT, "seed": BAD_SEED}, lazy=("generator",))
    sweep("latent_space.slerp", latent_space.slerp, dict(a=np.ones((2, 3)), b=np.eye(2, 3), t=0.5), {
        "a": [("shape", np.ones((2, 4))), ("rank 1", np.ones(3))],
        "t": [("1.5", 1.5), ("-0.1", -0.1), ("nan", math.nan)]})
    sweep("perceptual_path_length", latent_space.perceptual_path_length, dict(generator=sg, num_samples=2, epsilon=1e-2), {
        "generator": not_a_stylegan, "space": BAD_CHOICE, "num_samples": BAD_POSITIVE_INT + [("1", 1)],
        "epsilon": BAD_POSITIVE_FLOAT + [("0.5", 0.5)], "seed": BAD_SEED, "dataset": BAD_CHOICE,
        "batch_size": BAD_POSITIVE_INT}, lazy=("generator",))
    garments = np.zeros((4, 28, 28, 1), "float32")
    sweep("feature_diversity", latent_space.feature_diversity, dict(images=garments), {
        "images": [("one", np.zeros((1, 28, 28, 1))), ("rank 3", np.zeros((4, 28, 28)))], "dataset": BAD_CHOICE,
        "num_pairs": BAD_POSITIVE_INT, "seed": BAD_SEED,
        "labels": [("short", np.zeros(3, int)), ("float", np.zeros(4)), ("unique", np.arange(4)), ("str", "0011")]})
    sweep("generated_classes", latent_space.generated_classes, dict(generator=sg, z=w2), {
        "generator": not_a_stylegan, "batch_size": BAD_POSITIVE_INT}, lazy=("generator",))
    add("generated_classes[z and ws]", lambda: latent_space.generated_classes(sg(), z=w2, ws=np.zeros((2, 8, 8))), "z")
    add("generated_classes[neither]", lambda: latent_space.generated_classes(sg()), "z")
    sweep("predicted_classes", metrics.predicted_classes, dict(images=garments), {
        "images": bad_arrays(garments, (0, 28, 28, 1), ranks=[(4, 27, 28, 1)]) + [("2", lambda: garments + 2)],
        "dataset": BAD_CHOICE, "batch_size": BAD_POSITIVE_INT})
    sweep("sample_quality", metrics.sample_quality, dict(images=np.zeros((130, 28, 28, 1), "float32")), {
        "images": [("one", np.zeros((1, 28, 28, 1))), ("2", lambda: garments + 2), ("nan", lambda: garments * math.nan)],
        "dataset": BAD_CHOICE, "batch_size": BAD_POSITIVE_INT,
        "legible_threshold": BAD_POSITIVE_FLOAT + [("1.5", 1.5)]})
    # ---- DiffAugment (issue 13) ----
    from stylegan_edu import augment

    aug_imgs = np.zeros((2, 8, 8, 1), "float32")
    sweep("random_translation", augment.random_translation, dict(images=aug_imgs, seed=0), {
        "images": [("3-D", np.zeros((8, 8, 1))), ("complex", np.zeros((2, 8, 8, 1), complex))],
        "ratio": BAD_NONNEG_FLOAT + [("1", 1.0)]})
    sweep("random_cutout", augment.random_cutout, dict(images=aug_imgs, seed=0), {
        "images": [("3-D", np.zeros((8, 8, 1)))], "ratio": BAD_POSITIVE_FLOAT + [("1.5", 1.5)]})
    sweep("diff_augment", augment.diff_augment, dict(images=aug_imgs, seed=0), {
        "policy": [("typo", "translate"), ("twice", "cutout,cutout"), ("int", 3), ("list", ["cutout"])]})
    add("diff_augment[empty policy]", lambda: augment.diff_augment(aug_imgs, ""), OK(lambda r: r is aug_imgs, "the images unchanged"))
    sweep("TrainConfig.augment", training.TrainConfig, dict(), {"augment": [("typo", "colour"), ("int", 1)]})
    frames = [np.zeros((4, 4)), np.ones((4, 4))]
    sweep("animation_html", viz.animation_html, dict(frames=frames), {
        "frames": [("empty", []), ("not a list", np.zeros((2, 4, 4))), ("3-D frame", [np.zeros((4, 4, 1))]),
                   ("0..255", [np.full((4, 4), 255.0)]), ("nan", [np.full((4, 4), np.nan)])],
        "size": [b for b in BAD_POSITIVE_INT if b[0] != "None"], "duration": [("10", 10), ("-1", -1), ("str", "600")]})
    sweep("TimeBudget", callbacks.TimeBudget, dict(seconds=10.0), {
        "seconds": BAD_POSITIVE_FLOAT, "already": BAD_NONNEG_FLOAT})
    sweep("style_mixing_panel", widgets.style_mixing_panel, dict(generator=sg), {
        "generator": not_a_stylegan, "seed_a": BAD_SEED, "seed_b": BAD_SEED, "zoom": BAD_POSITIVE_INT,
        "crossover": [("-1", -1), ("9 > num_ws", 9), ("float", 1.5), ("True", True), ("str", "3")]}, lazy=("generator",))
    sweep("truncation_panel", widgets.truncation_panel, dict(generator=sg), {
        "generator": not_a_stylegan, "psi": BAD_UNIT_FLOAT, "zoom": BAD_POSITIVE_INT,
        "seeds": [("empty", []), ("17", list(range(17))), ("-1", [-1]), ("float", [0.5]), ("int", 3)]}, lazy=("generator",))
    sweep("noise_panel", widgets.noise_panel, dict(generator=sg), {
        "generator": not_a_stylegan, "seed": BAD_SEED, "zoom": BAD_POSITIVE_INT}, lazy=("generator",))
    vgg = {}

    def vgg_call(images):
        if not vgg:
            vgg["x"] = features.vgg16_extractor(["block1_conv1"], vgg_weights=None)
        return vgg["x"](images)

    for label, value in bad_arrays(rgb, (0, 32, 32, 3), ranks=[(32, 32, 3), (1, 32, 32, 2), (1, 8, 8, 3)]) + [
            ("0..255", lambda: rgb * 255), ("[-1, 1]", lambda: rgb * 2 - 1)]:
        add(f"vgg16_extractor(...)[images={label}]", lambda value=value: vgg_call(value()), "images")

    # ---- exercise checkers: a Result that says what is wrong, never "your answer raised TypeError" ----
    import importlib
    import pkgutil

    from stylegan_edu import exercises
    from stylegan_edu.exercises import Outcome

    def rejected(result):
        return result.outcome is not Outcome.CORRECT and "your answer raised" not in result.message

    learner_answers = [
        ("'abc'", "abc"), ("nan", math.nan), ("inf", math.inf), ("True", True), ("[]", []), ("{}", {}), ("112.5", 112.5),
        ("object", object()), ("fn -> None", lambda *a, **k: None), ("fn -> 'abc'", lambda *a, **k: "abc"),
    ]
    for info in pkgutil.iter_modules(exercises.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"stylegan_edu.exercises.{info.name}")
        for problem in module.PROBLEMS:
            pid = f"exercises.{info.name}.{problem.title}"
            add(f"{pid}[reference]", lambda problem=problem: problem.check(problem.reference),
                OK(lambda r: r.outcome is Outcome.CORRECT, "the reference is correct"))
            add(f"{pid}[blank]", lambda problem=problem: problem.check(None),
                OK(lambda r: r.outcome is Outcome.NOT_ATTEMPTED, "not attempted"))
            for label, answer in learner_answers:
                add(f"{pid}[{label}]", lambda problem=problem, answer=answer: problem.check(answer),
                    OK(rejected, "rejected with a teaching message"))
    for label, answer in (("38.4", 38.4), ("'38.4'", "38.4"), ("38.0001", 38.0001)):  # the cat's beta = int(0.01 * 60 * 64) = 38
        add(f"exercises.clahe.tile_clip[{label}]", lambda answer=answer: exercises_clahe().tile_clip.check(answer),
            OK(lambda r: r.outcome is Outcome.INCORRECT, "a count has no fractional part"))

    return cases


def exercises_clahe():
    from stylegan_edu.exercises import clahe

    return clahe


def count(cases=None):
    """Run every case; return ``{outcome: [(id, detail), ...]}``."""
    cases = build_cases() if cases is None else cases
    out = {"clear": [], "correct": [], "silent": [], "unclear": []}
    for case_id, thunk, expect in cases:
        outcome, detail = run_case(thunk, expect)
        out[outcome].append((case_id, detail))
    return out


if __name__ == "__main__":  # python tests/_bad_input_cases.py: the counts for the closing note
    import time

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    t0 = time.perf_counter()
    result = count()
    n = sum(len(v) for v in result.values())
    for outcome in ("silent", "unclear"):
        for case_id, detail in result[outcome]:
            print(f"{outcome.upper():8s} {case_id}: {detail}")
    print(f"{n} bad inputs in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{len(v)} {k}" for k, v in result.items()))
    api = {k: [c for c in v if not c[0].startswith("exercises.")] for k, v in result.items()}
    errors = len(api["clear"]) + len(api["unclear"])
    print(f"without the exercise checkers: {sum(len(v) for v in api.values())} inputs: "
          + ", ".join(f"{len(v)} {k}" for k, v in api.items())
          + f"; clear errors {len(api['clear']) / max(errors, 1):.1%} of the errors")
