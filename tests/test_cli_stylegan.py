"""python -m stylegan_edu train-stylegan: help, one quick epoch end to end, resume with other settings, bad input."""

import json
import os
import subprocess
import sys

import pytest

from stylegan_edu.__main__ import main


def test_help_lists_the_options_and_what_the_run_writes():
    proc = subprocess.run([sys.executable, "-m", "stylegan_edu", "train-stylegan", "--help"], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert proc.returncode == 0
    for text in ("--dataset", "--epochs N", "--out DIR", "--resume", "--r1 GAMMA", "--ema-decay", "--mixing-prob",
                 "--augment", "--quality-every", "history.json", "progress.gif", "examples:"):
        assert text in proc.stdout, text


def test_one_quick_epoch_end_to_end_then_resume_with_other_settings(tmp_path, shared_data, capsys):
    out = tmp_path / "run"
    args = ["train-stylegan", "--dataset", "fashion_mnist", "--epochs", "1", "--out", str(out), "--limit", "64",
            "--batch-size", "32", "--seed", "3", "--data-dir", shared_data, "--no-progress"]
    assert main(args) == 0
    assert "Done: 1 epoch(s)" in capsys.readouterr().out
    assert sorted(os.listdir(out)) == ["checkpoints", "config.json", "history.json", "progress.gif", "samples"]
    assert os.listdir(out / "checkpoints") == ["ckpt-0001.npz"]
    history = json.loads((out / "history.json").read_text())
    assert {"d_loss", "g_loss", "r1", "learning_rate"} <= set(history[0])
    config = json.loads((out / "config.json").read_text())
    assert config["train"]["seed"] == 3 and config["train"]["ema_decay"] == 0.999 and config["stylegan"]["style_mixing_prob"] == 0.9

    assert main(args) == 1  # an earlier run is never overwritten
    assert "already holds 1 checkpoint(s)" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0
    assert "Nothing to do: 1 of 1 epoch(s) already done" in capsys.readouterr().out
    assert main(args[:4] + ["2"] + args[5:] + ["--resume", "--mixing-prob", "0.5"]) == 1
    err = capsys.readouterr().err
    assert "Invalid value for argument `resume`" in err and "stylegan.style_mixing_prob: 0.9 (checkpoint) -> 0.5 (now)" in err


def test_mnist_trains_on_the_training_digits_and_measures_against_the_held_out_ones(tmp_path, shared_data, capsys):
    out = tmp_path / "mnist"
    args = ["train-stylegan", "--dataset", "mnist", "--epochs", "1", "--out", str(out), "--limit", "64", "--seed", "1",
            "--quality-every", "1", "--quality-samples", "64", "--data-dir", shared_data, "--no-progress",
            "--augment", "translation"]
    with pytest.warns(UserWarning, match="small-sample bias"):  # 64 samples: FID is biased, and the run says so
        assert main(args) == 0
    assert "Done: 1 epoch(s)" in capsys.readouterr().out
    (last,) = json.loads((out / "history.json").read_text())
    assert last["fid"] > 0 and "kid" in last  # against MNIST's held-out digits (a Fashion-MNIST run scores garments)
    assert json.loads((out / "config.json").read_text())["train"]["augment"] == "translation"


@pytest.mark.parametrize("flag,value,message", [
    ("--epochs", "0", "`epochs` (--epochs). Expected an integer >= 1"),
    ("--r1", "-1", "`r1_weight` (--r1). Expected a float in [0.0, inf]"),
    ("--ema-decay", "1.0", "`ema_decay` (--ema-decay). Expected a float in [0.0, 1.0)"),
    ("--mixing-prob", "2", "`style_mixing_prob` (--mixing-prob). Expected a float in [0.0, 1.0]"),
    ("--augment", "colour", "`augment` (--augment). Expected comma-separated names from 'translation', 'cutout'"),
])
def test_invalid_settings_name_the_flag(tmp_path, capsys, flag, value, message):
    assert main(["train-stylegan", "--epochs", "1", "--out", str(tmp_path), flag, value]) == 1
    assert f"Invalid value for argument {message}" in capsys.readouterr().err


def test_unknown_dataset_and_out_as_a_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["train-stylegan", "--dataset", "cifar10", "--epochs", "1", "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "argument --dataset: invalid choice: 'cifar10'" in capsys.readouterr().err
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    assert main(["train-stylegan", "--epochs", "1", "--out", str(afile)]) == 1
    assert "Invalid value for argument `out_dir` (--out). Expected a folder" in capsys.readouterr().err
