"""python -m stylegan_edu train-mnist: help, one quick epoch end to end, resume errors."""

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from stylegan_edu.__main__ import main


def test_help_lists_the_options_and_what_the_run_writes():
    proc = subprocess.run([sys.executable, "-m", "stylegan_edu", "train-mnist", "--help"], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert proc.returncode == 0
    for text in ("--epochs N", "--out DIR", "--resume", "--seed S", "--deterministic", "history.json", "progress.gif", "kill -9", "examples:"):
        assert text in proc.stdout, text


def test_one_quick_epoch_end_to_end_then_resume_errors(tmp_path, shared_data, capsys):
    out = tmp_path / "run"
    args = ["train-mnist", "--epochs", "1", "--out", str(out), "--limit", "64", "--batch-size", "32", "--seed", "3",
            "--data-dir", shared_data, "--no-progress"]
    assert main(args) == 0
    assert "Done: 1 epoch(s)" in capsys.readouterr().out
    assert sorted(os.listdir(out)) == ["checkpoints", "config.json", "history.json", "progress.gif", "samples"]
    assert os.listdir(out / "checkpoints") == ["ckpt-0001.npz"]
    assert os.listdir(out / "samples") == ["epoch_0001.png"]
    assert Image.open(out / "progress.gif").format == "GIF"
    history = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1] and {"d_loss", "g_loss", "learning_rate"} <= set(history[0])
    assert json.loads((out / "config.json").read_text())["seed"] == 3

    # Starting again over an existing run refuses to overwrite it.
    assert main(args) == 1
    assert "already holds 1 checkpoint(s)" in capsys.readouterr().err
    # Resuming to the epochs already done has nothing to do.
    assert main(args + ["--resume"]) == 0
    assert "Nothing to do: 1 of 1 epoch(s) already done" in capsys.readouterr().out


def test_resume_with_no_checkpoint_says_so(tmp_path, capsys):
    assert main(["train-mnist", "--epochs", "1", "--out", str(tmp_path), "--resume"]) == 1
    err = capsys.readouterr().err
    assert "--resume: there is no checkpoint in" in err and "Run without --resume" in err


@pytest.mark.parametrize("flag,value,message", [("--epochs", "0", "`epochs`"), ("--batch-size", "-1", "`batch_size`")])
def test_invalid_settings_are_reported(tmp_path, capsys, flag, value, message):
    args = ["train-mnist", "--epochs", "1", "--out", str(tmp_path), flag, value]
    assert main(args) == 1
    assert f"Invalid value for argument {message}" in capsys.readouterr().err


def test_cli_schedules_are_the_trainers():
    from stylegan_edu import __main__, training

    assert __main__.SCHEDULES == training.SCHEDULES
