"""Round trips with the real Minari (0.5.4, numpy 2) in its own cached venv: ours -> Minari and Minari -> ours.

Procgen pins numpy<2 and Minari needs numpy>=2, so Minari runs in a second virtual environment built (once, then
cached under ~/.cache/ddrl-tests or $DDRL_TEST_CACHE) from tests/minari/requirements.txt."""
import json, subprocess, sys
from pathlib import Path
import gymnasium, numpy as np, pytest
from gymnasium.envs.registration import EnvSpec
from ddrl.data import OfflineDataset, ProcgenSpec, RandomPolicy, collect, load_dataset, save_dataset
from venvs import cached_venv

HERE = Path(__file__).parent / "minari"
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

@pytest.fixture(scope="module")
def minari_python() -> str:
    reqs = (HERE / "requirements.txt").read_text()
    venv = cached_venv("minari", ["-r", HERE / "requirements.txt"], key_text=reqs)
    return str(venv / "bin" / "python")

def minari_side(python, *args) -> dict:
    r = subprocess.run([python, str(HERE / "minari_side.py"), *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 0, f"minari side failed: {r.stderr[-3000:]}"
    return json.loads(r.stdout.strip().splitlines()[-1])

def episode_arrays(ds: OfflineDataset) -> dict:
    "Per episode, the arrays as Minari should return them: T + 1 observations, T of the rest."
    out = {}
    for i in range(ds.n_episodes):
        ep = ds.episode(i)
        last = ds.final_observations[i:i + 1] if ds.final_observations is not None else ep["observations"][-1:]
        out[f"observations_{i}"] = np.concatenate([ep["observations"], last])
        for k in ("actions", "rewards", "terminations", "truncations"): out[f"{k}_{i}"] = ep[k]
    return out

def cartpole_dataset(episodes=3, seed=0) -> OfflineDataset:
    env, rng = gymnasium.make("CartPole-v1"), np.random.default_rng(seed)
    O, A, R, L, F = [], [], [], [], []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i); T = 0
        while True:
            O.append(obs); a = int(rng.integers(2)); A.append(a)
            obs, r, term, trunc, _ = env.step(a); R.append(r); T += 1
            if term or trunc: break
        L.append(T); F.append(obs)
    ds = OfflineDataset.from_arrays(np.array(O, np.float32), A, np.array(R, np.float64), L, n_actions=2)
    ds.final_observations = np.array(F, np.float32)
    return ds

def test_ours_to_minari(minari_python, tmp_path):
    "Minari lists, loads (`spec`) and iterates what we write; `recover_environment()` gives the env back."
    root = tmp_path / "datasets"
    procgen = collect(RandomPolicy(), ProcgenSpec("bigfish", num_envs=2, seed=3), 2, progress=False)
    vector = cartpole_dataset()
    p1 = save_dataset(procgen, root / "ddrl" / "bigfish-random-v0")
    p2 = save_dataset(vector, root / "ddrl" / "cartpole-random-v0", env_spec="CartPole-v1")
    want = {}
    for path, ds, env_id, recover in ((p1, procgen, "ddrl/procgen-bigfish-v0", False),
                                      (p2, vector, "CartPole-v1", True)):
        np.savez(root / f"{path.name}.npz", **episode_arrays(ds))
        want[f"ddrl/{path.name}"] = dict(episodes=ds.n_episodes, steps=len(ds), arrays=f"{path.name}.npz",
                                         env_id=env_id, recover=recover)
    (tmp_path / "want.json").write_text(json.dumps(want))
    found = minari_side(minari_python, "check-ours", root, tmp_path / "want.json")
    assert found["listed"] == sorted(want)
    assert found["ddrl/bigfish-random-v0"]["observation_space"] == "Box(0, 255, (64, 64, 3), uint8)"
    assert found["ddrl/bigfish-random-v0"]["action_space"] == "Discrete(15)"
    assert "bigfish-random-v0" in found["cli"] and "cartpole-random-v0" in found["cli"]
    print(found["cli"])
    # the Procgen env spec recovers the game where ddrl is installed (the minari venv cannot import procgen)
    env = gymnasium.make(EnvSpec.from_json(json.loads((p1 / "data" / "metadata.json").read_text())["env_spec"]))
    obs, info = env.reset(seed=5)
    assert obs.shape == (64, 64, 3) and obs.dtype == np.uint8 and env.action_space.n == 15
    assert len(env.step(0)) == 5

def test_minari_to_ours_and_back(minari_python, tmp_path):
    "Minari's own datasets (JPEG images, float64 rewards) load with dtypes, final frames, spaces and env spec; a save is equal."
    minari_side(minari_python, "record", tmp_path / "minari")
    for name in ("tiny-image-v0", "cartpole-v0"):
        src = tmp_path / "minari" / "ddrltest" / name
        ds = load_dataset(src)
        assert ds.rewards.dtype == np.float64 and ds.final_observations is not None
        meta = json.loads((src / "data" / "metadata.json").read_text())
        assert ds.minari["env_spec"] == meta["env_spec"] and ds.minari["observation_space"] == meta["observation_space"]
        if name == "tiny-image-v0":
            assert meta["jpeg_encoding"] is True and ds.metadata["decoded_from_jpeg"]
            assert ds.observations.shape[1:] == (64, 64, 3) and ds.observations.dtype == np.uint8
            assert np.array_equal(ds.rewards, 0.1 * (ds.actions + 1))   # exactly the env's float64 rewards
        out = save_dataset(ds, tmp_path / "resaved" / name)
        found = minari_side(minari_python, "compare", src, out)
        assert found["reward_dtype"] == "float64" and found["recovered"][0] == found["recovered"][1]
        again = load_dataset(out)
        for k in ("observations", "actions", "rewards", "terminations", "truncations", "final_observations",
                  "level_seeds"):
            a, b = getattr(ds, k), getattr(again, k)
            assert a.dtype == b.dtype and np.array_equal(a, b), k
