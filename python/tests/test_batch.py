"""The Kubernetes indexed Job of docs/batch.md, without a cluster: its
command line, taken from the page, run for every completion index."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "batch.md"


def _job():
    """(command, completions) of the manifest in docs/batch.md."""
    text = DOC.read_text()
    manifest = text.split("```yaml", 1)[1].split("```", 1)[0]
    completions = int(re.search(r"completions: (\d+)", manifest).group(1))
    block = manifest.split("- >-\n", 1)[1].split("volumeMounts:", 1)[0]
    command = " ".join(line.strip() for line in block.splitlines() if line.strip())
    return command, completions


def _bin_dir():
    return str(Path(sys.executable).parent)


def test_the_indexed_job_covers_every_target_once(fixtures, tmp_path):
    command, completions = _job()
    assert command.startswith("loadguard scan ") and "$JOB_COMPLETION_INDEX" in command
    work, results = tmp_path / "work", tmp_path / "results"
    work.mkdir()
    results.mkdir()
    targets = []
    for i in range(200):
        src = fixtures / ("malicious/os_system.pkl" if i % 50 == 0 else "benign/python_data_p4.pkl")
        p = work / f"m{i}.pkl"
        shutil.copy(src, p)
        targets.append(str(p))
    (work / "targets.txt").write_text("\n".join(targets) + "\n")
    command = command.replace("/work/", f"{work}/").replace("/results/", f"{results}/")

    def pod(index):
        env = {"JOB_COMPLETION_INDEX": str(index), "PATH": _bin_dir() + ":/usr/bin:/bin"}
        return subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True)

    for index in range(completions):
        done = pod(index)
        # --fail-on never: a shard with unsafe models is not a failed pod.
        assert done.returncode == 0, done.stderr
    records = []
    for index in range(completions):
        path = results / f"shard-{index}.jsonl"
        if path.exists():
            records += [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted(r["target"] for r in records) == sorted(targets)
    assert sum(r["verdict"] == "not-safe" for r in records) == 4

    # A restarted pod resumes from its own file: cut its last record in half.
    busiest = max(range(completions), key=lambda i: len((results / f"shard-{i}.jsonl").read_text().splitlines())
                  if (results / f"shard-{i}.jsonl").exists() else 0)
    path = results / f"shard-{busiest}.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:10])
    done = pod(busiest)
    assert done.returncode == 0, done.stderr
    assert "1 target(s) scanned" in done.stderr
    again = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted(r["target"] for r in again) == sorted(json.loads(x)["target"] for x in lines)
