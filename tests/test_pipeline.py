"The pipeline from the command line: a run as a user sees it, a killed run resumed, bad input refused."
import json, os, re, signal, subprocess, sys, time
from pathlib import Path
from ddrl.pipeline import STAGE_NAMES, STAGES, read_manifest

DDRL = str(Path(sys.executable).parent / "ddrl")

def ddrl(*args, **kw):
    return subprocess.run([DDRL, *map(str, args)], capture_output=True, text=True, **kw)

def test_ci_run_as_a_user_sees_it(tmp_path):
    "`ddrl run --preset ci`: a bar per stage in its own units, no kernel or library chatter, the table, the report."
    r = ddrl("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, "--set", "threads=1")
    assert r.returncode == 0, r.stderr[-3000:]
    run = tmp_path / "bigfish" / "ci"
    m, cfg = read_manifest(run), read_manifest(run)["config"]
    # while a stage runs: units done of all, elapsed<ETA, what it is doing (stderr is not a terminal: a line per task)
    assert all(line.startswith("[") for line in r.stderr.splitlines()), r.stderr[-3000:]   # progress only
    for stage, unit, doing in (("data", "episodes", "frames_per_s="), ("bc", "students", "loss="),
                               ("distill", "sets", "iterations, loss="), ("eval", "episodes", "eval Expert")):
        lines = [l for l in r.stderr.splitlines() if l.startswith(f"[{STAGE_NAMES.index(stage) + 1}/5] {stage} ")]
        assert any(re.search(rf" \d+/\d+ {unit}  \d\d:\d\d<\d\d:\d\d \| ", l) for l in lines), (stage, lines)
        assert any(doing in l for l in lines), (stage, lines)
    assert "Kernel is running over TCP" not in r.stdout + r.stderr
    assert "Kernel is running over TCP" in (run / "logs" / "kernel.log").read_text()   # logged, not shown
    # one line per finished stage, with its units and the time per unit
    out = [l for l in r.stdout.splitlines() if not l.startswith("note: ")]   # a slow-machine note may come first
    expected = dict(expert=1, data=cfg["expert_episodes"], bc=len(cfg["percents"]) * cfg["n_students"],
                    distill=3 * cfg["subset_seeds"] + len(cfg["methods"]) * cfg["distill_seeds"],
                    eval=m["stages"]["eval"]["units"]["count"])
    for i, (stage, unit) in enumerate(zip(STAGE_NAMES, ("expert", "episodes", "students", "sets", "episodes"))):
        assert re.fullmatch(rf"\[{i + 1}/5\] {stage} +█+ {expected[stage]:,} {unit} in \d\d:\d\d \(.* s per .*\)",
                            out[i]), out[i]
        assert m["stages"][stage]["units"]["unit"] == unit and m["stages"][stage]["units"]["count"] == expected[stage]
    # then the headline table: ID and OOD with 95% intervals for every method, random and expert included
    assert out[5].startswith("bigfish: mean return per episode with 95% intervals")
    assert out[6].split() == ["method", "ID", "OOD"]
    rows = {l[:l.index("  ")]: l for l in out[7:-1]}
    controls = [f"Real {cfg['synthetic_size']} (random)", f"Real {cfg['synthetic_size']} + expert labels",
                f"Real {cfg['synthetic_size']} (class-balanced)"]
    assert list(rows) == ["Random", "Expert", "BC 25%", "BC 100%", *controls, *cfg["methods"]], list(rows)
    interval = r"-?\d+\.\d\d \[-?\d+\.\d\d, -?\d+\.\d\d\]"
    assert all(re.search(rf"{interval} +{interval}$", row) for row in rows.values()), rows
    assert out[-1] == f"report: {run / 'report.md'}"
    # the executed notebooks are the stages' records: title, note, parameters (run folder injected), stage cells
    for stage in STAGES:
        cells = json.loads((run / "notebooks" / f"{stage.notebook}.ipynb").read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells]
        assert len(cells) <= 7 and "stage of a `ddrl run`" in sources[1], (stage.name, len(cells))
        assert f'notebook_stage("{stage.name}"' in sources[-1] and f'run_dir = "{run.resolve()}"' in "".join(sources)
    assert list(m["stages"]) == list(STAGE_NAMES) and all(s["executor"] == "papermill" for s in m["stages"].values())
    assert m["config"]["n_students"] == 2 and m["versions"]["torch"].startswith("2.13") and m["seeds"]["evaluation_envs"] == 1
    report = (run / "report.md").read_text()
    for s in ("Table 2-style", "Table 3-style", "Table 4-style", "| Random |", "| Expert |", "| BC 25% |", "| BC 100% |",
              "| expert-gm |", "| student-gm |", "| dc |", "| pbc |", "| Real 30 (random) |", "| Real 30 + expert labels |",
              "| Real 30 (class-balanced) |", "0.93 +- 1.47", "evaluation seed 1", "ID-D", "beat real frames"):
        assert s in report, s
    # a finished run is left alone
    again = ddrl("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, "--set", "threads=1", "--quiet")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert again.stdout.splitlines()[2].split() == ["method", "ID", "OOD"]   # and the table again
    assert read_manifest(run)["stages"] == m["stages"]
    # a different configuration in the same folder is refused
    other = ddrl("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, "--set", "threads=1", "--set", "n_students=3",
                 "--quiet")
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
    stage_lines = [l for l in r.stdout.splitlines() if l.startswith("[")]
    assert [l.split()[:2] for l in stage_lines] == [["[4/5]", "distill"], ["[5/5]", "eval"]]   # --quiet: one line per stage
    assert "[4/5]" not in r.stderr and "[5/5]" not in r.stderr                                   # and no live progress
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
