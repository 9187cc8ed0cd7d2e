"""The benchmark and asset scripts still start (a tiny budget); their numbers are not tested.

Each script answers ``--help`` in a subprocess, as a user starts it. The tiny runs call the script's ``main``
in this process instead, which already has TensorFlow loaded: a subprocess would pay its import again
(7 to 9 s on a 2-core CPU) for each of them.
"""

import json
import shutil
import subprocess
import sys

import pytest

from tests._notebooks import ROOT
from tests._scripts import load_script


@pytest.mark.filterwarnings("ignore:FID from 64 images")  # --tiny: 64 images per FID, on purpose
def test_time_to_quality_tiny(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("STYLEGAN_EDU_DATA", shared_data)
    load_script("benchmarks/time_to_quality.py").main(["--tiny", "--out", str(tmp_path), "--snapshots", str(tmp_path / "snaps")])
    results = json.loads((tmp_path / "time_to_quality.json").read_text())
    assert results["runs"]["tutorial"]["params"] == {"generator": 2_330_944, "discriminator": 212_865}
    for name in ("tutorial", "ours"):
        snaps = results["runs"][name]["snapshots"]
        assert snaps and all(s["fid"] is not None and s["fid"] >= 0 for s in snaps)
    assert results["machine"]["cpu_count"] >= 1 and results["machine"]["tensorflow"]
    assert "| step |" in (tmp_path / "time_to_quality.md").read_text()


def test_time_to_quality_help():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "time_to_quality.py"), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--tiny" in done.stdout


def test_compute_fid_stats_help():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "compute_fid_stats.py"), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--out" in done.stdout


def test_style_transfer_speed_help_only_prints_help(tmp_path):
    """``--help`` must not run the benchmark (it once did, and overwrote the record with numbers taken under load)."""
    record = ROOT / "benchmarks" / "style_transfer_speed.json"
    before = record.read_bytes()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "style_transfer_speed.py"), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--steps" in done.stdout and "--out" in done.stdout
    assert record.read_bytes() == before


def test_style_statistics_speed_quick_writes_its_report(tmp_path):
    load_script("benchmarks/style_statistics_speed.py").main(["--quick", "--out", str(tmp_path / "speed")])
    record = json.loads((tmp_path / "speed.json").read_text())
    (row,) = record["rows"]
    assert row["size"] == 64 and row["gram_step_s"] > 0 and row["mean_std_loss_ms"] > 0
    assert row["step_ratio"] == row["gram_step_s"] / row["mean_std_step_s"]
    assert "| 64 |" in (tmp_path / "speed.md").read_text()


def test_stylegan_vs_dcgan_tiny_writes_its_report(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("STYLEGAN_EDU_DATA", shared_data)
    out = tmp_path / "cmp"
    assert load_script("benchmarks/stylegan_vs_dcgan.py").main([
        "--minutes", "0.02", "--limit", "256", "--timing-rounds", "1", "--timing-steps", "2", "--eval-samples", "200",
        "--work", str(tmp_path / "run"), "--out", str(out), "--no-publish"]) == 0
    record = json.loads((tmp_path / "cmp.json").read_text())
    assert record["dcgan"]["steps"] >= 1 and record["dcgan"]["quality"]["num_samples"] == 200
    assert record["fid_ratio"] == record["stylegan"]["quality"]["fid"] / record["dcgan"]["quality"]["fid"]
    assert set(record["step_timing"]) == {"stylegan", "dcgan"} and (tmp_path / "cmp_samples.png").stat().st_size > 0
    assert "FID ratio StyleGAN / DCGAN" in (tmp_path / "cmp.md").read_text()


def test_training_scripts_start_and_the_trials_benchmark_finds_its_script():
    """Both generator training scripts answer --help; the DiffAugment trials benchmark imports a script that exists
    (it once imported one that had been renamed)."""
    import ast

    for script, flag in (("train_stylegan.py", "--dataset"), ("train_mnist_dcgan.py", "--augment")):
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / script), "--help"], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0 and "--minutes" in done.stdout and flag in done.stdout, script
    tree = ast.parse((ROOT / "benchmarks" / "mnist_generator_trials.py").read_text())
    imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    scripts = {p.stem for p in (ROOT / "scripts").glob("*.py")}
    assert "train_mnist_dcgan" in imported and {"train_mnist_dcgan"} <= scripts


def test_train_stylegan_mnist_trial_records_the_discriminator_diagnosis(tmp_path, shared_data, monkeypatch):
    """A tiny MNIST trial (64 digits, one epoch, 200 samples, DiffAugment on) writes its record without shipping:
    the quality numbers, the augmentation policy, and the discriminator on training digits, held-out digits and fakes."""
    monkeypatch.setenv("STYLEGAN_EDU_DATA", shared_data)
    script = load_script("scripts/train_stylegan.py")
    assert script.main(["--dataset", "mnist", "--limit", "64", "--epochs", "1", "--quality-every", "0", "--eval-samples",
                        "200", "--augment", "translation", "--work", str(tmp_path / "run"), "--no-ship"]) == 0
    record = json.loads((tmp_path / "run" / "result.json").read_text())
    assert record["train_config"]["augment"] == "translation" and record["steps"] == 2
    assert record["metrics"]["num_samples"] == 200 and record["metrics_truncated"]["num_samples"] == 200
    diagnosis = record["discriminator"]
    assert list(diagnosis) == ["training digits", "held-out digits", "fakes"]
    assert [d["num_images"] for d in diagnosis.values()] == [64, 200, 200]  # the 64 training digits of the trial
    for d in diagnosis.values():
        assert abs(sum(d["class_shares"].values()) - 1) < 1e-9 and set(d["by_class"]) <= {str(k) for k in range(10)}

    # --diagnose-only refuses a run whose time budget is not spent (it would train on); a subprocess, as a user runs it
    env = {"STYLEGAN_EDU_DATA": shared_data, "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"}
    again = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_stylegan.py"), "--dataset", "mnist", "--resume",
                            "--diagnose-only", "--work", str(tmp_path / "run")], capture_output=True, text=True, timeout=300,
                           env=env)
    assert again.returncode == 2 and "--diagnose-only needs" in again.stderr and "min" in again.stderr

    # the README lists this run and another one (here: itself again) in both tables
    other = script.other_run(tmp_path / "run")
    assert other["seed"] == 0 and other["augment"] == "translation" and other["discriminator"] == diagnosis
    readme = script._readme_mnist({**record, "other_runs": [other], "progress_epochs": [1]})
    fid = f"{record['metrics']['fid']:.2f}"
    for run in (record, other):  # the shipped row and the other run's
        assert f"| translation | {run['train_seconds'] / 60:.1f} | 2 | {fid} |" in readme
    assert readme.count(f"| {diagnosis['training digits']['mean_logit']:+.2f} | {diagnosis['held-out digits']['mean_logit']:+.2f} |") == 2
    assert "--augment translation" in readme and "DiffAugment translation" in readme

    # --update-record keeps the shipped weights and numbers and rewrites the record's other runs (here on a copy)
    asset = tmp_path / "asset"
    shutil.copytree(ROOT / "stylegan_edu" / "assets" / "mnist_generator", asset)
    shipped = json.loads((asset / "mnist_generator.json").read_text())
    (tmp_path / "shipped").mkdir()
    (tmp_path / "shipped" / "result.json").write_text(json.dumps({**shipped, "discriminator": diagnosis}))
    script.ASSETS["mnist"] = (asset, "mnist_generator.json", tmp_path / "shipped")
    weights = (asset / "generator.weights.h5").read_bytes()
    assert script.main(["--dataset", "mnist", "--update-record", "--other-runs", str(tmp_path / "run")]) == 0
    updated = json.loads((asset / "mnist_generator.json").read_text())
    assert updated["metrics"] == shipped["metrics"] and (asset / "generator.weights.h5").read_bytes() == weights
    assert updated["other_runs"] == [other] and updated["discriminator"] == diagnosis and "other_seeds" not in updated
    assert "| other | 0 | translation |" in (asset / "README.md").read_text()
    with pytest.raises(SystemExit):  # the trial is not the shipped run
        script.main(["--dataset", "mnist", "--update-record", "--work", str(tmp_path / "run")])
