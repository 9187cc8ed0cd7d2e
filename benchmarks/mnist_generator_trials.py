"""Which data-efficient option helps the book's DCGAN on 8,000 MNIST digits? Three short trials.

The shipped MNIST DCGAN (``scripts/train_mnist_dcgan.py``, until it was replaced
as the reference generator by the style-based one) trains the book's DCGAN on
8,000 digits with an EMA of the generator's weights. Before its long run, three
short runs compared DiffAugment policies on the discriminator's
inputs, everything else equal (models, Adam 2e-4 / 0.5, batch 64, EMA 0.999,
seed 0, the same 1,000-sample FID of the EMA generator against the 2,000
held-out digits):

* ``translation,cutout`` (DiffAugment's policy for small data sets),
* ``translation`` only,
* none.

Each run is ``scripts/train_mnist_dcgan.py --no-ship`` with its policy and a
time budget; this script runs them one after the other and writes
``mnist_generator_trials.json`` and ``.md`` (per-epoch FID and the
discriminator's mean outputs). Chapter 9 plots the JSON.

Usage::

    STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python benchmarks/mnist_generator_trials.py --minutes 8
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
OUT = Path(__file__).with_suffix("")
POLICIES = {"translation,cutout": 5, "translation": 3, "": 3}  # policy -> FID every K epochs (as in the recorded runs)


def markdown(record):
    lines = [f"# {record['title']}", "", record["summary"], "",
             f"Machine: {record['machine']}.", "", "| policy | epoch | FID (1,000 samples) | D(real) | D(fake) |", "|---|---:|---:|---:|---:|"]
    for run in record["runs"]:
        for row in run["history"]:
            if "fid" in row:
                lines.append(f"| `{run['augment'] or 'none'}` | {row['epoch']} | {row['fid']:.2f} | {row['d_real']:.3f} | {row['d_fake']:.3f} |")
    lines += ["", "Commands:", ""] + [f"    {run['command']}" for run in record["runs"]] + [""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=8.0, help="time budget per run (default 8)")
    args = parser.parse_args(argv)
    import train_mnist_dcgan

    from stylegan_edu._io import machine_info

    runs = []
    for policy, every in POLICIES.items():
        work = tempfile.mkdtemp(prefix="mnist_trial_")
        cli = ["--minutes", str(args.minutes), "--augment", policy, "--fid-every", str(every), "--work", work, "--no-ship"]
        train_mnist_dcgan.main(cli)
        history = json.loads(Path(work, "history.json").read_text())
        keep = ("epoch", "d_real", "d_fake", "d_loss", "fid")
        runs.append({"augment": policy, "command": "scripts/train_mnist_dcgan.py " + " ".join(repr(c) if c == "" else c for c in cli),
                     "history": [{k: h[k] for k in keep if k in h} for h in history]})
    m = machine_info()
    record = {"title": "DiffAugment policies for the book's MNIST DCGAN (then the reference generator): three short trials",
              "summary": "One seed each, EMA generator, FID on 1,000 samples against the 2,000 held-out digits.",
              "machine": f"{m.get('cpu_count')} CPU cores, {m.get('platform')}, GPUs: {m.get('gpus') or 'none'}", "runs": runs}
    OUT.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    OUT.with_suffix(".md").write_text(markdown(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
