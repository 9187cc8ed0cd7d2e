"""Command line: ``python -m stylegan_edu train-mnist|train-stylegan --epochs N --out DIR [--resume] [--seed S]``.

Run ``python -m stylegan_edu train-mnist --help`` (or ``train-stylegan --help``) for every option.
"""

import argparse
import os
import sys

SCHEDULES = ("constant", "halve_per_epoch", "cosine")  # stylegan_edu.training.SCHEDULES (a test checks they agree)

_DESCRIPTION = """\
Train the book's default DCGAN on MNIST (chapter 9's recipe: Adam 2e-4,
beta_1 0.5, one discriminator and one generator update per step).

DIR receives:
  checkpoints/ckpt-NNNN.npz  a checkpoint after every epoch (atomic writes; the
                             previous one is kept as a fallback)
  samples/epoch_NNNN.png     samples from a fixed noise batch, every epoch
  progress.gif               those samples as an animation
  history.json               per-epoch losses (and FID with --fid-every)
  config.json                the settings of the run

Interrupt it at any time (Ctrl-C, or even kill -9) and continue with
--resume: the run goes on from the last finished epoch exactly as if it had
never stopped (same weights, optimizer state, data order and noise).
"""

_EXAMPLES = """\
examples:
  python -m stylegan_edu train-mnist --epochs 10 --out runs/mnist
  python -m stylegan_edu train-mnist --epochs 20 --out runs/mnist --resume
  python -m stylegan_edu train-mnist --epochs 1 --out /tmp/try --limit 512 --fid-every 1

data: MNIST from $STYLEGAN_EDU_DATA/mnist (IDX files) or --data-dir, else
downloaded by Keras. It trains on the training digits of mnist_gan_split()
(the train split; offline, with the test split only, its 8,000 digits
i % 5 != 4) and measures FID against the held-out digits.
"""


_STYLEGAN_DESCRIPTION = """\
Train a style-based generator (StyleGAN2-style, chapter 13) on Fashion-MNIST (or MNIST)
padded to 32 x 32: non-saturating loss, style mixing (probability 0.9), lazy R1
on real images, an EMA of the generator and the running average w-bar for the
truncation trick. Adam(2e-3, beta_1 0, beta_2 0.99), batch 32 by default.

DIR receives:
  checkpoints/ckpt-NNNN.npz  a checkpoint after every epoch (atomic writes; the
                             previous one is kept as a fallback); it records the
                             run's settings, and --resume with other settings
                             says which differ
  samples/epoch_NNNN.png     EMA-generator samples from a fixed noise batch
  progress.gif               those samples as an animation
  history.json               per-epoch losses (and FID/KID with --quality-every)
  config.json                the settings of the run

Interrupt it at any time (Ctrl-C, or even kill -9) and continue with --resume.
"""

_STYLEGAN_EXAMPLES = """\
examples:
  python -m stylegan_edu train-stylegan --dataset fashion_mnist --epochs 10 --out runs/stylegan
  python -m stylegan_edu train-stylegan --dataset fashion_mnist --epochs 20 --out runs/stylegan --resume
  python -m stylegan_edu train-stylegan --epochs 1 --out /tmp/try --limit 512 --quality-every 1 --quality-samples 500
  python -m stylegan_edu train-stylegan --dataset mnist --epochs 90 --out runs/stylegan_mnist

data: Fashion-MNIST's training split from $STYLEGAN_EDU_DATA/fashion_mnist (IDX
files) or --data-dir, else downloaded by Keras. FID and KID compare the EMA
generator's samples (cropped to 28 x 28) with the test split. With --dataset
mnist: the training digits of mnist_gan_split (offline: 8,000 of the test
digits), and FID/KID against its held-out digits.
"""

#: Python argument names in error messages -> the flags a user typed.
_FLAGS = {"data_dir": "--data-dir", "out_dir": "--out", "learning_rate": "--lr", "batch_size": "--batch-size",
          "fid_every": "--fid-every", "fid_num_samples": "--fid-samples", "epochs": "--epochs", "seed": "--seed",
          "limit": "--limit", "schedule": "--schedule", "mixed_precision": "--mixed-precision", "r1_weight": "--r1",
          "r1_interval": "--r1-interval", "ema_decay": "--ema-decay", "style_mixing_prob": "--mixing-prob",
          "quality_every": "--quality-every", "num_samples": "--quality-samples", "augment": "--augment"}


def _parser():
    parser = argparse.ArgumentParser(prog="python -m stylegan_edu", description="stylegan_edu command line tools.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("train-mnist", help="train the default DCGAN on MNIST, with checkpoints and resume",
                       description=_DESCRIPTION, epilog=_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, required=True, metavar="N",
                   help="total number of epochs of the run (with --resume: including those already done)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--resume", action="store_true", help="continue from the newest good checkpoint in DIR/checkpoints")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed for weights, data order and noise (default: 0)")
    p.add_argument("--batch-size", type=int, default=64, metavar="B", help="images per step (default: 64)")
    p.add_argument("--lr", type=float, default=2e-4, help="Adam learning rate for both networks (default: 2e-4)")
    p.add_argument("--schedule", choices=SCHEDULES, default="constant",
                   help="learning-rate schedule (default: constant; halve_per_epoch is the source article's)")
    p.add_argument("--ema-decay", type=float, default=0.0, help="EMA decay of the generator's weights (default: 0 = off; "
                   "the shipped generator: 0.999)")
    p.add_argument("--augment", default="", help="DiffAugment policy for the discriminator's inputs (default: none; "
                   "the shipped generator: translation,cutout)")
    p.add_argument("--fid-every", type=int, default=0, metavar="K", help="compute MNIST-FID every K epochs (default: 0, never)")
    p.add_argument("--fid-samples", type=int, default=1000, metavar="M", help="generated images per FID (default: 1000)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="train on the first N digits only (quick trials)")
    p.add_argument("--data-dir", default=None, help="folder holding mnist/ IDX files (default: $STYLEGAN_EDU_DATA)")
    p.add_argument("--mixed-precision", choices=("auto", "on", "off"), default="auto",
                   help="float16 compute: auto = only on a GPU (default: auto)")
    p.add_argument("--deterministic", action="store_true",
                   help="TensorFlow's deterministic ops (slower on a GPU): a killed and resumed run then equals an "
                   "uninterrupted one bit for bit")
    p.add_argument("--no-progress", action="store_true", help="print one line per epoch instead of a progress bar")

    p = sub.add_parser("train-stylegan", help="train a style-based generator on Fashion-MNIST or MNIST, with checkpoints and resume",
                       description=_STYLEGAN_DESCRIPTION, epilog=_STYLEGAN_EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", choices=("fashion_mnist", "mnist"), default="fashion_mnist",
                   help="training data (default: fashion_mnist; mnist: the training digits of mnist_gan_split)")
    p.add_argument("--epochs", type=int, required=True, metavar="N",
                   help="total number of epochs of the run (with --resume: including those already done)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--resume", action="store_true", help="continue from the newest good checkpoint in DIR/checkpoints")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed for weights, data order and noise (default: 0)")
    p.add_argument("--batch-size", type=int, default=32, metavar="B", help="images per step (default: 32)")
    p.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate for both networks (default: 2e-3)")
    p.add_argument("--r1", type=float, default=0.1, metavar="GAMMA", help="R1 penalty weight gamma (default: 0.1; 0 = off)")
    p.add_argument("--r1-interval", type=int, default=16, metavar="K", help="lazy R1: every K steps, times K (default: 16)")
    p.add_argument("--ema-decay", type=float, default=0.999, help="EMA decay of the generator's weights (default: 0.999; 0 = off)")
    p.add_argument("--mixing-prob", type=float, default=0.9, help="share of fakes drawn with style mixing (default: 0.9)")
    p.add_argument("--augment", default="", help="DiffAugment policy for the discriminator's inputs, e.g. "
                   "translation,cutout (default: none)")
    p.add_argument("--quality-every", type=int, default=0, metavar="K", help="FID and KID every K epochs (default: 0, never)")
    p.add_argument("--quality-samples", type=int, default=2000, metavar="M", help="generated images per FID/KID (default: 2000)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="train on the first N images only (quick trials)")
    p.add_argument("--data-dir", default=None, help="folder holding fashion_mnist/ or mnist/ IDX files (default: $STYLEGAN_EDU_DATA)")
    p.add_argument("--deterministic", action="store_true", help="TensorFlow's deterministic ops (exact resumes on a GPU)")
    p.add_argument("--no-progress", action="store_true", help="print one line per epoch instead of a progress bar")
    return parser


def _check_run_folder(args):
    """Refuse to overwrite an earlier run, or to resume one that is not there (before any data is loaded)."""
    from stylegan_edu.checkpoints import CheckpointManager

    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise ValueError(f"Invalid value for argument `out_dir` (--out). Expected a folder, or a path where one can be "
                         f"created. Received: --out {args.out!r}, which is a file")
    ckpt_dir = os.path.join(args.out, "checkpoints")
    existing = CheckpointManager(ckpt_dir).paths()
    if args.resume and not existing:
        raise FileNotFoundError(
            f"--resume: there is no checkpoint in {ckpt_dir} (no ckpt-NNNN.npz files), so there is nothing to resume. "
            "Run without --resume to start a new run."
        )
    if not args.resume and existing:
        raise FileExistsError(
            f"{ckpt_dir} already holds {len(existing)} checkpoint(s) from an earlier run. Pass --resume to continue it, "
            "or choose another --out to start a new one."
        )


def _train_mnist(args):
    from stylegan_edu._validation import check_positive_int
    from stylegan_edu.gan import train_mnist
    from stylegan_edu.training import TrainConfig

    _check_run_folder(args)
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr, schedule=args.schedule,
                         seed=args.seed, mixed_precision=args.mixed_precision, ema_decay=args.ema_decay or None,
                         augment=args.augment)
    from stylegan_edu.data import mnist_gan_split

    if args.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    images, _, _ = mnist_gan_split(data_dir=args.data_dir)
    if args.limit is not None:
        images = images[: check_positive_int("limit", args.limit)]
    fid_every = check_positive_int("fid_every", args.fid_every, minimum=0)
    gan = train_mnist(config, args.out, images=images, resume=args.resume, fid_every=fid_every,
                      fid_num_samples=args.fid_samples, progress=not args.no_progress)
    last = gan.state.history[-1] if gan.state.history else {}
    summary = ", ".join(f"{k}={v:.4f}" for k, v in last.items() if k in ("d_loss", "g_loss", "fid"))
    print(f"Done: {gan.state.epochs_done} epoch(s) in {args.out} ({summary}).")
    return 0


def _train_stylegan(args):
    import dataclasses

    from stylegan_edu._validation import check_positive_int
    from stylegan_edu.stylegan import STYLEGAN_TRAIN_CONFIG, StyleGANConfig, train_stylegan

    _check_run_folder(args)
    config = dataclasses.replace(STYLEGAN_TRAIN_CONFIG, epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
                                 seed=args.seed, r1_weight=args.r1, r1_interval=args.r1_interval,
                                 ema_decay=args.ema_decay or None, augment=args.augment)
    stylegan_config = StyleGANConfig(style_mixing_prob=args.mixing_prob)
    quality_every = check_positive_int("quality_every", args.quality_every, minimum=0)
    from stylegan_edu.data import load_fashion_mnist, mnist_gan_split

    if args.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    if args.dataset == "mnist":
        images = mnist_gan_split(data_dir=args.data_dir)[0]  # the training digits; quality against the held-out ones
    else:
        images, _ = load_fashion_mnist("train", data_dir=args.data_dir)
    if args.limit is not None:
        images = images[: check_positive_int("limit", args.limit)]
    trainer = train_stylegan(args.out, config=config, stylegan_config=stylegan_config, images=images, resume=args.resume,
                             quality_every=quality_every, quality_num_samples=args.quality_samples,
                             progress=not args.no_progress, dataset=args.dataset)
    last = trainer.state.history[-1] if trainer.state.history else {}
    summary = ", ".join(f"{k}={v:.4f}" for k, v in last.items() if k in ("d_loss", "g_loss", "r1", "fid", "kid"))
    print(f"Done: {trainer.state.epochs_done} epoch(s) in {args.out} ({summary}).")
    return 0


def main(argv=None):
    """Entry point of ``python -m stylegan_edu`` and the ``stylegan-edu`` script."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = _parser().parse_args(argv)
    from stylegan_edu.callbacks import NonFiniteLossError
    from stylegan_edu.checkpoints import CheckpointError

    try:
        return _train_stylegan(args) if args.command == "train-stylegan" else _train_mnist(args)
    except (ValueError, FileNotFoundError, FileExistsError, CheckpointError, NonFiniteLossError) as e:
        msg = str(e)
        for name, flag in _FLAGS.items():
            msg = msg.replace(f"argument `{name}`. ", f"argument `{name}` ({flag}). ")
        print(f"error: {msg}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nInterrupted. Continue with: python -m stylegan_edu {args.command} --epochs {args.epochs} "
              f"--out {args.out} --resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
