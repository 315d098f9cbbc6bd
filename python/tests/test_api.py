"""The Python API: scan(), typed reports, errors, the console script."""

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import loadguard


def test_scan_a_path_gives_a_typed_report(fixtures):
    r = loadguard.scan(fixtures / "malicious" / "os_system.pkl", config=False)
    assert r.verdict == "not-safe"
    assert not r.safe
    assert r.exit_code == 1
    assert r.tool_version == loadguard.__version__
    f = r.worst(1)[0]
    assert isinstance(f, loadguard.Finding)
    assert f.severity in ("high", "critical")
    assert f.callable in ("posix.system", "os.system")
    assert f.cwe.startswith("CWE-")
    assert isinstance(f.location.offset, int)
    assert f.location.opcode == "REDUCE"
    assert f.location.path.endswith("os_system.pkl")
    assert f.help.endswith(f"{f.rule}.md")
    assert r.files[0].format == "pickle"


def test_scan_bytes_names_them(fixtures):
    data = (fixtures / "containers" / "malicious" / "payload.pt").read_bytes()
    r = loadguard.scan(data, name="upload.pt", config=False)
    assert r.verdict == "not-safe"
    assert r.files[0].path == "upload.pt"
    assert r.files[0].format.startswith("pytorch")
    assert all(f.location.path == "upload.pt" for f in r.findings)


def test_real_library_files_are_safe(fixtures):
    for name in ["state_dict.pt", "model.joblib.xz", "arrays.npz", "floats.npy"]:
        r = loadguard.scan(fixtures / "containers" / "benign" / name, config=False)
        assert r.verdict == "safe", (name, [str(f) for f in r.findings])
        assert r.exit_code == 0


def test_options_are_the_command_line_options(fixtures):
    bad = fixtures / "malicious" / "codecs_open.pkl"
    assert loadguard.scan(bad, config=False).exit_code == 1
    assert loadguard.scan(bad, config=False, fail_on="never").exit_code == 0
    assert loadguard.scan(bad, config=False, fail_on="critical").exit_code == 0
    # A repeated option from a list.
    r = loadguard.scan(bad, config=False, allow_global=["codecs.open", "os.getcwd"])
    assert not any(f.callable == "codecs.open" and f.severity == "high" for f in r.findings)


def test_scan_errors_raise(fixtures, tmp_path):
    with pytest.raises(loadguard.ScanError, match="no such file"):
        loadguard.scan(tmp_path / "missing.pt")
    with pytest.raises(loadguard.ScanError, match="unexpected argument"):
        loadguard.scan(fixtures / "malicious" / "os_system.pkl", no_such_option=1)


def test_scan_many_scans_several_targets(fixtures):
    r = loadguard.scan_many(
        [fixtures / "malicious" / "os_system.pkl", fixtures / "containers" / "benign" / "floats.npy"],
        config=False,
    )
    assert r.verdict == "not-safe"
    assert len(r.files) == 2


def test_the_scan_releases_the_gil(tmp_path):
    # A pickle of a few hundred MB of numbers takes the scanner a while; the
    # Python thread must run meanwhile.
    big = tmp_path / "big.pkl"
    import pickle

    with open(big, "wb") as f:
        pickle.dump(list(range(3_000_000)), f, protocol=2)
    done = threading.Event()
    result = {}

    def work():
        result["report"] = loadguard.scan(big, config=False)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    spins = 0
    while not done.is_set():
        spins += 1
    t.join()
    assert result["report"].verdict == "safe"
    assert spins > 1000, spins


def _cli():
    # The wheel installs the command beside the interpreter of its
    # environment (bin/ or Scripts/).
    beside = Path(sys.executable).parent / "loadguard"
    exe = str(beside) if beside.exists() else shutil.which("loadguard")
    assert exe, "the wheel installs the loadguard command"
    return exe


def test_the_console_script_is_the_command_line(fixtures):
    out = subprocess.run([_cli(), "--version"], capture_output=True, text=True)
    assert out.returncode == 0
    assert loadguard.__version__ in out.stdout
    out = subprocess.run(
        [_cli(), "scan", "--no-config", str(fixtures / "malicious" / "os_system.pkl")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "NOT SAFE" in out.stdout
    out = subprocess.run([sys.executable, "-m", "loadguard", "rules"], capture_output=True, text=True)
    assert out.returncode == 0 and "PKL101" in out.stdout


def test_every_scanning_call_honours_config_false(fixtures, tmp_path, monkeypatch):
    # A configuration in the working directory that lets the payload pass.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loadguard.toml").write_text('fail-on = "never"\n')
    bad = fixtures / "malicious" / "os_system.pkl"
    assert loadguard.scan(bad).exit_code == 0
    assert loadguard.scan(bad, config=False).exit_code == 1
    assert loadguard.scan_many([bad], config=False).exit_code == 1
    rec = loadguard.record(bad, config=False, fail_on="high")
    assert rec["verdict"] == "not-safe"
