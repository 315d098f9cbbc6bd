"""The Ray example (examples/ray_scan.py) on a local Ray cluster, 1,000
targets: records gathered into JSON Lines, failures retried and reported,
an interrupted run resumed."""

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "examples"))
sys.path.insert(0, str(HERE))

import ray_helpers  # noqa: E402
import ray_scan  # noqa: E402


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    markers = tmp_path_factory.mktemp("markers")
    os.environ["LOADGUARD_TEST_MARKERS"] = str(markers)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), str(HERE.parents[1] / "examples"), os.environ.get("PYTHONPATH", "")]
    )
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield markers
    ray.shutdown()


def _records(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_a_thousand_targets_on_ray(cluster, fixtures, tmp_path):
    benign = fixtures / "benign" / "python_data_p4.pkl"
    bad = fixtures / "malicious" / "os_system.pkl"
    targets = []
    for i in range(990):
        p = tmp_path / f"model-{i}.pkl"
        shutil.copy(benign, p)
        targets.append(str(p))
    for i in range(5):
        p = tmp_path / f"evil-{i}.pkl"
        shutil.copy(bad, p)
        targets.append(str(p))
    for i in range(3):
        p = tmp_path / f"flaky-{i}.pkl"
        shutil.copy(benign, p)
        targets.append(str(p))
    targets += [str(tmp_path / "missing-0.pt"), str(tmp_path / "missing-1.pt")]
    assert len(targets) == 1000
    out = tmp_path / "results.jsonl"

    counts = ray_scan.scan_on_ray(targets, str(out), retries=2, task=ray_helpers.flaky)
    recs = _records(out)
    by = {r["target"]: r for r in recs}
    assert len(recs) == 1000 and set(by) == set(targets), "every target exactly once"
    assert counts["safe"] == 993 and counts["not-safe"] == 5 and counts["errors"] == 2, counts
    assert all(by[t]["verdict"] == "not-safe" for t in targets if "evil-" in t)
    assert any(f["rule"] == "PKL101" for f in by[str(tmp_path / "evil-0.pkl")]["findings"])
    # Transient failures were retried (two attempts each) and then scanned.
    for i in range(3):
        assert by[str(tmp_path / f"flaky-{i}.pkl")]["verdict"] == "safe"
        assert len(list(cluster.glob(f"flaky-{i}.pkl.*"))) == 2
    # Permanent failures are reported after the retries, never dropped.
    missing = by[str(tmp_path / "missing-0.pt")]
    assert missing["verdict"] == "not-scanned"
    assert missing["attempts"] == 3
    assert "no such file" in missing["error"]

    # Interrupt: keep 400 records and half of the next; the rerun scans the
    # rest, and every target is in the output exactly once.
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:400]) + "\n" + lines[400][: len(lines[400]) // 2])
    counts = ray_scan.scan_on_ray(targets, str(out), retries=2)
    assert counts["skipped"] == 400
    recs = _records(out)
    assert sorted(r["target"] for r in recs) == sorted(targets)
