"""Data-parallel training: MirroredStrategy on 2 logical CPU devices equals one device.

The worker runs in its own process, because logical devices must be set up
before TensorFlow first touches the CPU (this file is also the worker:
``python tests/test_distributed.py OUT``). Same data, same global batch, same
seed: a few steps on one device, then the same steps under
``tf.distribute.MirroredStrategy`` with 2 replicas. The default DCGAN
generator has BatchNorm (synchronised across replicas), so its statistics
are covered; the discriminator's dropout is off, because each replica draws
its own dropout mask (as in any data-parallel run). The run also keeps an
EMA generator, whose update runs in cross-replica context (merge_call), and
adds R1 on every other step, computed per replica: both must agree too.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STEPS, BATCH = 3, 16


def _worker(out):
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.path.insert(0, str(ROOT))
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    from stylegan_edu.gan import make_gan
    from stylegan_edu.models import DiscriminatorConfig, GeneratorConfig, make_discriminator, make_generator
    from stylegan_edu.training import TrainConfig, num_replicas

    x = np.random.default_rng(0).uniform(-1, 1, (STEPS * BATCH, 28, 28, 1)).astype("float32")
    config = TrainConfig(epochs=1, batch_size=BATCH, seed=0, mixed_precision="off", ema_decay=0.9, r1_weight=1.0,
                         r1_interval=2)

    def run():
        g = make_generator(GeneratorConfig(latent_dim=16, filters=(16, 8), batchnorm=True, seed=0))
        d = make_discriminator(DiscriminatorConfig(filters=(8, 16), dropout=0.0, seed=1))
        gan = make_gan(config, generator=g, discriminator=d)
        history = gan.fit(x, verbose=0)
        bn = [layer.synchronized for layer in gan.generator.layers if "BatchNormalization" in type(layer).__name__]
        weights = [np.asarray(v) for v in gan.generator.variables + gan.discriminator.variables]  # includes BN statistics
        ema = [np.asarray(v) for v in gan.ema_generator.variables]
        return {k: float(v[-1]) for k, v in history.history.items()}, weights, num_replicas(), bn, ema

    single = run()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        mirrored = run()
    np.savez(Path(out, "weights.npz"), *single[1], *mirrored[1])
    ema_diff = max(float(np.max(np.abs(a.astype(float) - b.astype(float))))
                   for a, b in zip(single[4], mirrored[4], strict=True) if a.dtype.kind == "f")
    Path(out, "result.json").write_text(json.dumps({
        "single": single[0], "mirrored": mirrored[0], "replicas": [single[2], mirrored[2]],
        "synchronized": [single[3], mirrored[3]], "n": len(single[1]), "ema_diff": ema_diff,
    }))


def test_mirrored_strategy_on_two_devices_equals_one_device(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, __file__, str(tmp_path)], env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["replicas"] == [1, 2]
    assert result["synchronized"][0] and not any(result["synchronized"][0]) and all(result["synchronized"][1])
    assert result["single"].keys() == result["mirrored"].keys() and "r1" in result["single"]
    for key, value in result["single"].items():
        np.testing.assert_allclose(result["mirrored"][key], value, rtol=1e-4, atol=1e-5, err_msg=key)
    arrays = np.load(tmp_path / "weights.npz")
    n = result["n"]
    for i in range(n):
        a, b = arrays[f"arr_{i}"], arrays[f"arr_{i + n}"]
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5, err_msg=f"variable {i}")
    assert result["ema_diff"] < 1e-5


if __name__ == "__main__":
    _worker(sys.argv[1])
