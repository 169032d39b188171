"""The package as a user who pip-installs it gets it: build the wheel, install it into a fresh venv, run outside the checkout.

The wheel's dependencies (torch, procgen, ...) take minutes to install, so they live in a cached venv (built once per
pyproject/constraints, under ~/.cache/ddrl-tests or $DDRL_TEST_CACHE) that the fresh venv sees through a .pth file;
ddrl itself comes only from the wheel."""
import os, subprocess, sys, tomllib
from pathlib import Path
import pytest
from venvs import base_python, cached_venv

ROOT = Path(__file__).resolve().parents[1]

def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)

@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    "A fresh venv with ddrl installed from a freshly built wheel; returns its bin/ folder."
    tmp = tmp_path_factory.mktemp("install")
    built = run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", ROOT])
    assert built.returncode == 0, built.stderr[-3000:]
    assert "absent from the `packages` configuration" not in built.stdout + built.stderr   # setuptools is content
    wheel = next((tmp / "dist").glob("ddrl-*.whl"))
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    constraints = (ROOT / "constraints.txt").read_text()
    deps_venv = cached_venv("ddrl-deps", ["-c", ROOT / "constraints.txt", *deps], key_text=constraints)
    venv = tmp / "venv"
    assert run([base_python(), "-m", "venv", venv]).returncode == 0
    site = Path(run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    deps_site = run([deps_venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    (site / "ddrl_test_dependencies.pth").write_text(deps_site + "\n")
    r = run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", wheel])
    assert r.returncode == 0, r.stderr[-3000:]
    return venv / "bin"

def clean_env() -> dict:
    "The environment of a user's shell: nothing pointing into the checkout."
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | {"MPLBACKEND": "Agg"}

def test_installed_package_is_the_wheel(installed, tmp_path):
    r = run([installed / "python", "-c", "import ddrl, ddrl.pipeline as p; print(ddrl.__file__); print(p.CONFIGS); "
             "print(p.NOTEBOOKS); print(sorted(x.name for x in p.NOTEBOOKS.glob('*.ipynb')))"],
            cwd=tmp_path, env=clean_env())
    assert r.returncode == 0, r.stderr[-2000:]
    file, configs, notebooks, names = r.stdout.splitlines()
    for p in (file, configs, notebooks): assert str(ROOT) not in p and "site-packages" in p, p
    assert names == "['00_data.ipynb', '01_expert.ipynb', '02_bc.ipynb', '03_distill.ipynb', '04_eval.ipynb']"

def test_run_ci_outside_the_checkout(installed, tmp_path):
    "`ddrl run --env bigfish --preset ci` from a folder outside the checkout: notebooks executed, report written."
    r = run([installed / "ddrl", "run", "--env", "bigfish", "--preset", "ci", "--out", "runs", "--quiet"],
            cwd=tmp_path, env=clean_env())
    assert r.returncode == 0, r.stderr[-3000:]
    run_dir = tmp_path / "runs" / "bigfish" / "ci"
    assert (run_dir / "report.md").exists() and (run_dir / "notebooks" / "04_eval.ipynb").exists()
    assert "in-process" not in r.stdout   # the shipped notebooks were found

def test_refusals_leave_no_run_folder(installed, tmp_path):
    config = tmp_path / "mine.yaml"; config.write_text("game: bigfish\nn_students: 1\n")
    for args, msg in ((["--env", "bigfish", "--set", "n_student=1"], "unknown key 'n_student'"),
                      (["--env", str(config), "--set", "bc_lr=-1"], "bc_lr: expected a finite learning rate"),
                      (["--env", "bigfish", "--set", "device=gpu"], "device 'gpu'")):
        r = run([installed / "ddrl", "run", *args, "--preset", "ci", "--out", tmp_path / "runs"], cwd=tmp_path,
                env=clean_env())
        assert r.returncode == 2 and msg in r.stderr and r.stderr.count("\n") == 1, (args, r.stderr)
        assert not (tmp_path / "runs").exists()
