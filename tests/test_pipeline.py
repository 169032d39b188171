"The pipeline from the command line: notebooks executed by papermill, a killed run resumed, bad input refused."
import json, os, signal, subprocess, sys, time
from pathlib import Path
from ddrl.pipeline import STAGE_NAMES, read_manifest

DDRL = str(Path(sys.executable).parent / "ddrl")

def ddrl(*args, **kw):
    return subprocess.run([DDRL, *map(str, args)], capture_output=True, text=True, **kw)

def test_ci_run_with_papermill_and_combined_report(tmp_path):
    r = ddrl("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, "--quiet")
    assert r.returncode == 0, r.stderr[-3000:]
    run = tmp_path / "bigfish" / "ci"
    assert f"report: {run / 'report.md'}" in r.stdout
    for stage in STAGE_NAMES: assert (run / stage).is_dir() and not (run / f"{stage}.partial").exists()
    nbs = sorted(p.name for p in (run / "notebooks").glob("*.ipynb"))
    assert nbs == ["00_data.ipynb", "01_expert.ipynb", "02_bc.ipynb", "03_distill.ipynb", "04_eval.ipynb"]
    executed = json.loads((run / "notebooks" / "04_eval.ipynb").read_text())
    src = "".join("".join(c["source"]) for c in executed["cells"])
    assert f"run_dir = \"{run.resolve()}\"" in src            # papermill injected the run folder
    m = read_manifest(run)
    assert list(m["stages"]) == list(STAGE_NAMES) and all(s["executor"] == "papermill" for s in m["stages"].values())
    assert m["config"]["n_students"] == 2 and m["versions"]["torch"].startswith("2.13") and m["seeds"]["evaluation_envs"] == 1
    report = (run / "report.md").read_text()
    for s in ("Table 2-style", "Table 3-style", "Table 4-style", "| Random |", "| Expert |", "| BC 25% |", "| BC 100% |",
              "| expert-gm |", "| dc |", "| dm |", "| Real 30 (random) |", "| Real 30 + expert labels |",
              "| Real 30 (class-balanced) |", "0.93 +- 1.47", "evaluation seed 1", "ID-D", "beat real frames"):
        assert s in report, s
    # a finished run is left alone
    again = ddrl("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, "--quiet")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert read_manifest(run)["stages"] == m["stages"]
    # a different configuration in the same folder is refused
    other = ddrl("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, "--set", "n_students=3", "--quiet")
    assert other.returncode == 2 and "differs in: n_students" in other.stderr

def test_killed_run_resumes_where_it_stopped(tmp_path):
    args = [DDRL, "run", "--env", "jumper", "--preset", "ci", "--out", str(tmp_path), "--executor", "inprocess", "--quiet"]
    run = tmp_path / "jumper" / "ci"
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while not (run / "distill.partial").exists():                 # wait until the distillation stage has started ...
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        assert time.time() < deadline, "distill stage did not start within 300 s"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL); proc.wait()                  # ... then kill the run hard
    done_before = {s: (run / s).stat().st_mtime_ns for s in ("expert", "data", "bc")}
    assert not (run / "distill").exists() and not (run / "report.md").exists()
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "resuming" in r.stdout and "[1/5]" not in r.stdout and "[4/5] distill" in r.stdout
    assert {s: (run / s).stat().st_mtime_ns for s in done_before} == done_before   # finished stages not redone
    assert (run / "report.md").exists() and not (run / "distill.partial").exists()

def test_bad_input_fails_before_any_work(tmp_path):
    for args, msg in [(["--env", "pong"], "unknown env 'pong'"), (["--env", "bigfish", "--set", "bc_steps=many"], "bc_steps: expected int"),
                      (["--env", "bigfish", "--set", "n_student=3"], "unknown key 'n_student'"),
                      (["--env", "bigfish", "--set", "expert=/nowhere"], "expert: no expert")]:
        r = ddrl("run", *args, "--out", tmp_path / "runs")
        assert r.returncode == 2 and msg in r.stderr and r.stderr.count("\n") == 1, (args, r.stderr)
    assert not (tmp_path / "runs").exists()
    bad = tmp_path / "bad.yaml"; bad.write_text("game: bigfish\npresets:\n  quick: [1, 2]\n")
    r = ddrl("run", "--env", bad, "--out", tmp_path / "runs")
    assert r.returncode == 2 and "bad.yaml: presets.quick: expected a mapping" in r.stderr
    assert not (tmp_path / "runs").exists()
