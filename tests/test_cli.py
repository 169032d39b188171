"The `ddrl` command as a user runs it: a separate process, exit codes, one-line errors."
import subprocess, sys, json
from pathlib import Path

def ddrl(*args, cwd=None):
    "Run the installed `ddrl` console script, as a user would."
    return subprocess.run([str(Path(sys.executable).parent / "ddrl"), *args], capture_output=True, text=True, cwd=cwd)

def test_collect_and_summary(tmp_path):
    r = ddrl("collect", "--env", "starpilot", "--episodes", "3", "--num-envs", "3", "--out", str(tmp_path / "ds"), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "saved 3 episodes" in r.stdout and (tmp_path / "ds" / "data" / "main_data.hdf5").exists()
    s = ddrl("summary", str(tmp_path / "ds"), "--json")
    assert s.returncode == 0 and json.loads(s.stdout)["episodes"] == 3

def test_bad_input_is_one_line_and_writes_nothing(tmp_path):
    r = ddrl("collect", "--env", "bigfsh", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "invalid choice: 'bigfsh'" in r.stderr and not (tmp_path / "x").exists()
    r = ddrl("collect", "--env", "bigfish", "--policy", "nobody", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and r.stderr.strip() == "ddrl: error: unknown policy 'nobody'; expected 'random' or 'expert'"
    assert not (tmp_path / "x").exists()
    r = ddrl("collect", "--env", "bigfish", "--episodes", "0", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "n_episodes must be >= 1" in r.stderr and not (tmp_path / "x").exists()
    r = ddrl("summary", str(tmp_path / "missing"))
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr

def test_run_all_names_each_game_before_its_stages(tmp_path, monkeypatch, capsys):
    from ddrl import cli, pipeline
    monkeypatch.setattr(pipeline, "check_expert", lambda cfg: None)
    monkeypatch.setattr(pipeline, "run_pipeline", lambda env, preset, out, *a, **k: print(f"stages of {env}") or out)
    monkeypatch.setattr(pipeline, "write_combined_report", lambda runs, out: Path(out) / "report.md")
    assert cli.main(["run", "--env", "all", "--preset", "ci", "--out", str(tmp_path), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:6] == ["== bigfish (1/3 games) ==", "stages of bigfish", "== starpilot (2/3 games) ==",
                         "stages of starpilot", "== jumper (3/3 games) ==", "stages of jumper"], lines
    assert cli.main(["run", "--env", "bigfish", "--preset", "ci", "--out", str(tmp_path), "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines() == ["stages of bigfish"]   # one game: no header
