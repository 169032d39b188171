"Round trips in Minari's layout, and reading Minari files that ddrl did not write."
import json
import h5py, numpy as np
from ddrl.data import load_dataset, save_dataset, top_percent, summarize

def test_round_trip_lossless(tmp_path, small_dataset):
    back = load_dataset(save_dataset(small_dataset, tmp_path / "ds"))
    for k in ("observations", "actions", "rewards", "terminations", "truncations", "episode_lengths", "level_seeds"):
        np.testing.assert_array_equal(getattr(back, k), getattr(small_dataset, k))
    assert back.metadata == small_dataset.metadata

def test_minari_layout(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds", dataset_id="test/tiny-v0")
    meta = json.loads((path / "data" / "metadata.json").read_text())
    assert meta["dataset_id"] == "test/tiny-v0" and meta["data_format"] == "hdf5"
    assert json.loads(meta["action_space"]) == dict(type="Discrete", dtype="int64", start=0, n=4)
    assert json.loads(meta["observation_space"])["shape"] == [8, 8, 3]
    with h5py.File(path / "data" / "main_data.hdf5") as f:
        assert list(f.keys()) == ["episode_0", "episode_1", "episode_2"]
        g = f["episode_2"]
        assert g.attrs["total_steps"] == 4 and g["observations"].shape == (5, 8, 8, 3)
        assert g["observations"].compression == "gzip"           # lossless, never JPEG
        for k in ("actions", "rewards", "terminations", "truncations"): assert g[k].shape == (4,)

def test_reads_foreign_minari_vector_dataset(tmp_path):
    "A dataset written with plain h5py the way Minari writes one (vector observations, no ddrl fields)."
    data = tmp_path / "cartpole-v0" / "data"; data.mkdir(parents=True)
    rng = np.random.default_rng(1)
    with h5py.File(data / "main_data.hdf5", "w") as f:
        for i, T in enumerate([5, 7]):
            g = f.create_group(f"episode_{i}"); g.attrs.update(id=i, total_steps=T, seed=100 + i)
            g["observations"] = rng.normal(size=(T + 1, 4)).astype(np.float32)
            g["actions"] = rng.integers(0, 2, T); g["rewards"] = np.ones(T)
            g["terminations"] = np.r_[np.zeros(T - 1, bool), True]; g["truncations"] = np.zeros(T, bool)
            g.create_group("infos")
    (data / "metadata.json").write_text(json.dumps(dict(
        dataset_id="cartpole-v0", total_episodes=2, total_steps=12, data_format="hdf5",
        action_space=json.dumps(dict(type="Discrete", dtype="int64", start=0, n=2)))))
    ds = load_dataset(tmp_path / "cartpole-v0")
    assert ds.observations.shape == (12, 4) and ds.n_actions == 2
    np.testing.assert_array_equal(ds.episode_returns, [5, 7]); np.testing.assert_array_equal(ds.level_seeds, [100, 101])
    assert summarize(top_percent(ds, 50))["episodes"] == 1
