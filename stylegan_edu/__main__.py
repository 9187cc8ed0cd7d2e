"""Command line: ``python -m stylegan_edu train-mnist --epochs N --out DIR [--resume] [--seed S]``.

Run ``python -m stylegan_edu train-mnist --help`` for every option.
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
downloaded by Keras. All available splits are used (load_mnist("all")).
"""


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
    return parser


def _train_mnist(args):
    from stylegan_edu._validation import check_positive_int
    from stylegan_edu.checkpoints import CheckpointManager
    from stylegan_edu.gan import train_mnist
    from stylegan_edu.training import TrainConfig

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
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr, schedule=args.schedule,
                         seed=args.seed, mixed_precision=args.mixed_precision)
    from stylegan_edu.data import load_mnist

    if args.deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    images, _ = load_mnist("all", data_dir=args.data_dir)
    if args.limit is not None:
        images = images[: check_positive_int("limit", args.limit)]
    fid_every = check_positive_int("fid_every", args.fid_every, minimum=0)
    gan = train_mnist(config, args.out, images=images, resume=args.resume, fid_every=fid_every,
                      fid_num_samples=args.fid_samples, progress=not args.no_progress)
    last = gan.state.history[-1] if gan.state.history else {}
    summary = ", ".join(f"{k}={v:.4f}" for k, v in last.items() if k in ("d_loss", "g_loss", "fid"))
    print(f"Done: {gan.state.epochs_done} epoch(s) in {args.out} ({summary}).")
    return 0


def main(argv=None):
    """Entry point of ``python -m stylegan_edu`` and the ``stylegan-edu`` script."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    args = _parser().parse_args(argv)
    from stylegan_edu.callbacks import NonFiniteLossError
    from stylegan_edu.checkpoints import CheckpointError

    try:
        return _train_mnist(args)
    except (ValueError, FileNotFoundError, FileExistsError, CheckpointError, NonFiniteLossError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nInterrupted. Continue with: python -m stylegan_edu train-mnist --epochs {args.epochs} "
              f"--out {args.out} --resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
