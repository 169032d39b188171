"Cached virtual environments for tests that need other packages than ddrl's own (the real Minari, a fresh install)."
import fcntl, hashlib, os, shutil, subprocess, sys
from pathlib import Path

CACHE = Path(os.environ.get("DDRL_TEST_CACHE", Path.home() / ".cache" / "ddrl-tests"))

def base_python() -> str:
    "The interpreter this test venv was made from (a new venv from it carries none of our packages)."
    return getattr(sys, "_base_executable", None) or sys.executable

def cached_venv(name: str, pip_args: list, key_text: str = "") -> Path:
    "A venv under `CACHE` with `pip install *pip_args`, built once per (arguments, key_text, Python) and reused."
    key = hashlib.sha256("\n".join([*map(str, pip_args), key_text, sys.version]).encode()).hexdigest()[:12]
    CACHE.mkdir(parents=True, exist_ok=True)
    venv = CACHE / f"{name}-{key}"
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)               # one builder at a time; the others wait and reuse it
        if (venv / "ready").exists(): return venv
        for old in CACHE.glob(f"{name}-*"): shutil.rmtree(old, ignore_errors=True)   # stale keys and half builds
        subprocess.run([base_python(), "-m", "venv", str(venv)], check=True, capture_output=True)   # built in place:
        r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *map(str, pip_args)],   # scripts
                           capture_output=True, text=True)                                  # name their own path
        if r.returncode:
            shutil.rmtree(venv, ignore_errors=True)
            raise RuntimeError(f"building the {name} test venv failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        (venv / "ready").write_text(" ".join(map(str, pip_args)))   # complete: later runs reuse it
    return venv
