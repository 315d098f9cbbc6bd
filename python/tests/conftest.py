import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
CANARY = Path("/tmp/loadguard-canary")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def no_canary():
    """The malicious fixtures touch /tmp/loadguard-canary when loaded: it
    must not exist after a refused load."""
    if CANARY.exists():
        CANARY.unlink()
    yield CANARY
    assert not CANARY.exists(), "a malicious fixture ran"


@pytest.fixture(autouse=True)
def _unpatched():
    import loadguard

    yield
    loadguard.unpatch()


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    # No loadguard.toml from the developer's tree.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    os.environ.pop("HF_TOKEN", None)
