"Bring your own data: datasets written by a separate script (plain h5py, no ddrl), numpy arrays, data larger than memory."
import json, subprocess, sys
from pathlib import Path
import numpy as np, pytest, torch
from ddrl.data import OfflineDataset, load_dataset, top_percent
from ddrl.bc import BCConfig, BCData, train_students, load_students
from ddrl.distill import DistillConfig, distill

HERE = Path(__file__).parent
DDRL = str(Path(sys.executable).parent / "ddrl")

@pytest.fixture(scope="module")
def user_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("byod")
    for kind, n in (("vector", 6), ("image", 12)):
        subprocess.run([sys.executable, str(HERE.parent / "nbs" / "byod_writer.py"), str(root / kind), "--kind", kind, "--episodes", str(n)], check=True)
    return root

def test_vector_dataset_distils_and_trains(user_data, tmp_path):
    ds = load_dataset(user_data / "vector")
    assert ds.observations.shape[1:] == (4,) and ds.n_actions == 2 and ds.n_episodes == 6
    for method in ("pbc", "dc"):
        syn = distill(ds, DistillConfig(method, size=6, iterations=2, outer_loop=2, inner_steps=2), out=tmp_path / method, progress=False)
        assert syn.frames.shape == (6, 4) and torch.isfinite(syn.frames).all()
        back = load_dataset(tmp_path / method)
        assert back.observations.dtype == np.float32 and back.metadata["method"] == method
        nets = train_students(back, BCConfig(steps=3, batch_size=4), seeds=[0, 1], progress=False)
        assert type(nets[0]).__name__ == "StudentMLP" and nets[0](ds.observations[:5]).shape == (5, 2)

def test_cli_distills_a_user_dataset(user_data, tmp_path):
    r = subprocess.run([DDRL, "distill", "--dataset", str(user_data / "vector"), "--method", "pbc", "--size", "4", "--iterations", "2",
                        "--out", str(tmp_path / "syn"), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert load_dataset(tmp_path / "syn").observations.shape == (4, 4)

def test_numpy_arrays_equal_the_file(user_data):
    ds = load_dataset(user_data / "vector")
    arr = OfflineDataset.from_arrays(ds.observations, ds.actions, ds.rewards, ds.episode_lengths)
    assert np.array_equal(arr.episode_returns, ds.episode_returns) and arr.terminations.sum() == ds.n_episodes
    one = OfflineDataset.from_arrays(np.zeros((5, 3), np.float32), [0, 1, 0, 1, 1])
    assert one.n_episodes == 1 and one.n_actions == 2

def test_larger_than_memory_reads_in_chunks(user_data, tmp_path):
    full = load_dataset(user_data / "image")
    lazy = load_dataset(user_data / "image", max_memory_mb=0.05)
    assert getattr(lazy.observations, "on_disk", False) and not getattr(full.observations, "on_disk", False)
    assert lazy.observations.shape == full.observations.shape
    idx = np.random.default_rng(0).integers(0, len(full), 64)
    assert np.array_equal(lazy.observations[idx], full.observations[idx])
    top = top_percent(lazy, 25)                                             # still on disk after filtering
    assert getattr(top.observations, "on_disk", False)
    assert np.array_equal(top.observations[np.arange(len(top))], top_percent(full, 25).observations)
    kw = dict(size=15, iterations=2, student_steps=5, window=2)
    a = distill(lazy, DistillConfig("pbc", **kw), progress=False); b = distill(full, DistillConfig("pbc", **kw), progress=False)
    assert torch.allclose(a.frames, b.frames)
    cfg = BCConfig(steps=3, batch_size=8)
    na, nb = train_students(lazy, cfg, [0], progress=False), train_students(full, cfg, [0], progress=False)
    assert all(torch.allclose(p, q) for p, q in zip(na[0].parameters(), nb[0].parameters()))
