"Collection keeps whole episodes and does not over-represent short ones."
import numpy as np
from ddrl import data
from ddrl.data import ProcgenSpec, RandomPolicy, collect

class FakeGym3Env:
    "A gym3-like vector env: env i alternates short (2 steps, return 0) and long (30 steps, return 1) episodes."
    def __init__(self, num, first_long):
        self.num, self.t = num, np.zeros(num, int)
        self.long = np.array(first_long[:num], bool); self.level = np.arange(num) * 100
    def _len(self): return np.where(self.long, 30, 2)
    def observe(self):
        obs = np.zeros((self.num, 64, 64, 3), np.uint8); obs[:, 0, 0, 0] = self.t
        return self._rew, {"rgb": obs}, self._first
    def get_info(self): return [dict(level_seed=int(l), prev_level_seed=0, prev_level_complete=0) for l in self.level]
    def act(self, actions):
        self.t += 1
        ended = self.t >= self._len()
        self._rew = np.where(ended & self.long, 1.0, 0.0).astype(np.float32)
        self._first = ended
        self.t[ended] = 0; self.long[ended] = ~self.long[ended]; self.level[ended] += 1
    _rew = np.zeros(0); _first = np.zeros(0, bool)

def test_unbiased_episode_selection(monkeypatch):
    first_long = [True, False, True, False, True, False, True, False]
    monkeypatch.setattr(ProcgenSpec, "make", lambda self, num_envs=None: FakeGym3Env(num_envs, first_long))
    ds = collect(RandomPolicy(), ProcgenSpec(num_envs=8), 8, progress=False)
    # One episode per env, each env's FIRST episode: half long, half short -- not the 8 short ones that finish first.
    np.testing.assert_array_equal(ds.episode_lengths, [30, 2] * 4)
    np.testing.assert_array_equal(ds.episode_returns, [1, 0] * 4)
    np.testing.assert_array_equal(ds.level_seeds, np.arange(8) * 100)
    assert ds.terminations.sum() == 8 and not ds.truncations.any()

def test_quota_over_several_episodes(monkeypatch):
    monkeypatch.setattr(ProcgenSpec, "make", lambda self, num_envs=None: FakeGym3Env(num_envs, [False] * 3))
    ds = collect(RandomPolicy(), ProcgenSpec(num_envs=3), 7, progress=False)   # quotas 3, 2, 2
    np.testing.assert_array_equal(ds.episode_lengths, [2, 30, 2, 2, 30, 2, 30])
    np.testing.assert_array_equal(ds.level_seeds, [0, 1, 2, 100, 101, 200, 201])

def test_real_procgen_whole_episodes_and_determinism():
    spec = ProcgenSpec("jumper", num_envs=4, seed=3)
    a, b = collect(RandomPolicy(), spec, 6, progress=False), collect(RandomPolicy(), spec, 6, progress=False)
    np.testing.assert_array_equal(a.observations, b.observations)
    assert a.n_episodes == 6 and a.observations.dtype == np.uint8 and a.observations.shape[1:] == (64, 64, 3)
    assert ((a.level_seeds >= 100) & (a.level_seeds < 300)).all()
    ends = np.flatnonzero(a.terminations | a.truncations)
    np.testing.assert_array_equal(ends, np.cumsum(a.episode_lengths) - 1)
