import os
os.environ.setdefault("MPLBACKEND", "Agg")
import numpy as np
import pytest
from ddrl.data import OfflineDataset

def make_dataset(lengths=(3, 2, 4), n_actions=4, frame_shape=(8, 8, 3), seed=0):
    "A small valid dataset with uint8 frames and rewards 0..N-1."
    rng = np.random.default_rng(seed); n = sum(lengths)
    term = np.zeros(n, bool); term[np.cumsum(lengths) - 1] = True
    return OfflineDataset(rng.integers(0, 256, (n, *frame_shape), dtype=np.uint8), rng.integers(0, n_actions, n),
                          np.arange(n, dtype=np.float32), term, np.zeros(n, bool), list(lengths),
                          list(range(len(lengths))), n_actions, {"source": "test"})

@pytest.fixture
def small_dataset(): return make_dataset()
