"""The Minari side of tests/test_minari.py: runs in its own virtual environment with the real `minari` (numpy 2).

python minari_side.py record ROOT            record Minari datasets with DataCollector (defaults: JPEG images)
python minari_side.py check-ours ROOT SPEC   load, list, iterate datasets that ddrl wrote under ROOT (MINARI_DATASETS_PATH)
python minari_side.py compare A B            A and B (dataset folders) hold the same data, spaces and env spec
Each command prints one JSON line (what it found) and exits non-zero on the first difference.
"""
import json, os, subprocess, sys
from pathlib import Path
import numpy as np
import gymnasium as gym
from gymnasium.envs.registration import register

class TinyImageEnv(gym.Env):
    "64x64 RGB frames, 5 actions, rewards in tenths (float64: 0.1 is not a float32), episodes of 3 to 8 steps."
    def __init__(self):
        self.observation_space = gym.spaces.Box(0, 255, (64, 64, 3), np.uint8)
        self.action_space = gym.spaces.Discrete(5)
    def _frame(self):
        return self.np_random.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t, self.length = 0, int(self.np_random.integers(3, 9))
        return self._frame(), {}
    def step(self, action):
        self.t += 1
        return self._frame(), 0.1 * (int(action) + 1), self.t >= self.length, False, {"step": self.t}

register(id="ddrltest/TinyImage-v0", entry_point=f"{Path(__file__).stem}:TinyImageEnv")

def record(root: Path):
    "Minari datasets as Minari writes them by default: a JPEG image one and a vector (CartPole) one."
    import minari
    from minari import DataCollector
    os.environ["MINARI_DATASETS_PATH"] = str(root)
    for env_id, dataset_id, episodes in (("ddrltest/TinyImage-v0", "ddrltest/tiny-image-v0", 4),
                                         ("CartPole-v1", "ddrltest/cartpole-v0", 3)):
        env = DataCollector(gym.make(env_id))   # jpeg_encoding defaults to True
        for i in range(episodes):
            env.reset(seed=100 + i)
            done = False
            while not done:
                _, _, term, trunc, _ = env.step(env.action_space.sample())
                done = term or trunc
        env.create_dataset(dataset_id=dataset_id, algorithm_name="random", author="ddrl tests",
                           author_email="tests@example.org")
    print(json.dumps({"recorded": sorted(minari.list_local_datasets())}))

def _same(a, b, where: str):
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or sorted(a) != sorted(b):
            sys.exit(f"{where}: keys differ: {sorted(a) if isinstance(a, dict) else a} vs "
                     f"{sorted(b) if isinstance(b, dict) else b}")
        for k in a: _same(a[k], b[k], f"{where}/{k}")
        return
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
        sys.exit(f"{where}: differ: {a.dtype}{a.shape} vs {b.dtype}{b.shape}")

def compare(a: Path, b: Path):
    "Two datasets are element-for-element equal as Minari reads them: episodes, seeds, spaces, env spec."
    import minari
    da, db = minari.MinariDataset(a / "data"), minari.MinariDataset(b / "data")
    for attr in ("observation_space", "action_space", "env_spec", "total_episodes", "total_steps"):
        if getattr(da, attr) != getattr(db, attr):
            sys.exit(f"{attr} differs: {getattr(da, attr)} vs {getattr(db, attr)}")
    for i, (ea, eb) in enumerate(zip(da.iterate_episodes(), db.iterate_episodes())):
        for k in ("observations", "actions", "rewards", "terminations", "truncations", "infos"):
            _same(getattr(ea, k), getattr(eb, k), f"episode {i} {k}")
    seeds = [[m.get("seed") for m in d.storage.get_episode_metadata(range(d.total_episodes))] for d in (da, db)]
    if seeds[0] != seeds[1]: sys.exit(f"episode seeds differ: {seeds[0]} vs {seeds[1]}")
    recovered = [d.recover_environment().spec.id for d in (da, db)]
    print(json.dumps({"episodes": da.total_episodes, "steps": da.total_steps, "seeds": seeds[0],
                      "reward_dtype": str(ea.rewards.dtype), "recovered": recovered}))

def check_ours(root: Path, expected: Path):
    "Datasets written by ddrl: Minari lists, loads and iterates them; their contents are what ddrl wrote."
    import minari
    os.environ["MINARI_DATASETS_PATH"] = str(root)
    want = json.loads(expected.read_text())
    listed = minari.list_local_datasets()
    out = {"listed": sorted(listed), "cli": subprocess.run([str(Path(sys.executable).parent / "minari"), "list", "local"],
                                                          capture_output=True, text=True, env=os.environ).stdout}
    for dataset_id, w in want.items():
        if dataset_id not in listed: sys.exit(f"{dataset_id}: not listed by minari.list_local_datasets(): {sorted(listed)}")
        ds = minari.load_dataset(dataset_id)
        spec = ds.spec
        if (spec.total_episodes, spec.total_steps) != (w["episodes"], w["steps"]):
            sys.exit(f"{dataset_id}: spec counts {spec.total_episodes, spec.total_steps}, expected {w['episodes'], w['steps']}")
        arrays = np.load(root / w["arrays"])
        for i, ep in enumerate(ds.iterate_episodes()):
            for k in ("observations", "actions", "rewards", "terminations", "truncations"):
                _same(getattr(ep, k), arrays[f"{k}_{i}"], f"{dataset_id} episode {i} {k}")
        if spec.env_spec is None or spec.env_spec.id != w["env_id"]:
            sys.exit(f"{dataset_id}: env_spec {spec.env_spec}, expected id {w['env_id']}")
        if w.get("recover"):
            env = ds.recover_environment()
            obs, _ = env.reset(seed=0)
            if not env.observation_space.contains(obs): sys.exit(f"{dataset_id}: recovered env's observation not in its space")
        out[dataset_id] = dict(namespace=spec.namespace, name=spec.dataset_name, version=spec.version,
                               observation_space=str(spec.observation_space), action_space=str(spec.action_space),
                               env_id=spec.env_spec.id, size=ds.storage.metadata["dataset_size"])
    print(json.dumps(out))

if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"record": record, "compare": compare, "check-ours": check_ours}[cmd](*map(Path, args))
