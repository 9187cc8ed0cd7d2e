import pytest

import stylegan_edu
from stylegan_edu import budget, is_quick


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("YES", True), ("0", False), ("", False), ("off", False)])
def test_is_quick_reads_environment(monkeypatch, value, expected):
    monkeypatch.setenv("STYLEGAN_EDU_QUICK", value)
    assert is_quick() is expected
    assert budget(full=100, quick=3) == (3 if expected else 100)


def test_unset_means_full(monkeypatch):
    monkeypatch.delenv("STYLEGAN_EDU_QUICK", raising=False)
    assert budget(full="long", quick="short") == "long"


def test_typo_is_an_error(monkeypatch):
    monkeypatch.setenv("STYLEGAN_EDU_QUICK", "quick")
    with pytest.raises(ValueError, match="STYLEGAN_EDU_QUICK"):
        is_quick()


def test_version():
    assert stylegan_edu.__version__ == "0.1.0"


def test_import_has_no_side_effects():
    """Importing the package sets no seeds, touches no rcParams and imports no TensorFlow."""
    import subprocess
    import sys

    code = (
        "import sys, matplotlib; before = dict(matplotlib.rcParams); "
        "import stylegan_edu, stylegan_edu.exercises; "
        "assert dict(matplotlib.rcParams) == before; "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
