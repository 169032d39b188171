"Bad input to the data layer raises a clear error naming the problem and leaves nothing half-written."
import json
import h5py, numpy as np, pytest
from ddrl import data
from ddrl.data import DatasetError, OfflineDataset, ProcgenSpec, load_dataset, save_dataset, top_percent
from conftest import make_dataset

def fields(ds):
    return dict(observations=ds.observations, actions=ds.actions, rewards=ds.rewards, terminations=ds.terminations,
                truncations=ds.truncations, episode_lengths=ds.episode_lengths)

def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"): load_dataset(tmp_path / "nothing-here")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="expected .*data/main_data.hdf5"): load_dataset(tmp_path / "empty")

def test_truncated_file(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds")
    f = path / "data" / "main_data.hdf5"; f.write_bytes(f.read_bytes()[:1000])
    with pytest.raises(ValueError, match=r"main_data.hdf5: cannot be read as HDF5 \(truncated or corrupt"): load_dataset(path)

def test_corrupt_file(tmp_path):
    (tmp_path / "ds" / "data").mkdir(parents=True)
    (tmp_path / "ds" / "data" / "main_data.hdf5").write_bytes(b"not an hdf5 file" * 100)
    with pytest.raises(ValueError, match="truncated or corrupt"): load_dataset(tmp_path / "ds")

def test_corrupt_metadata(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds")
    (path / "data" / "metadata.json").write_text("{not json")
    with pytest.raises(ValueError, match="metadata.json: not valid JSON"): load_dataset(path)

def test_lengths_disagree_in_memory(small_dataset):
    with pytest.raises(ValueError, match="rewards: episodes disagree in length: expected 9 steps.*found 8"):
        OfflineDataset(**{**fields(small_dataset), "rewards": small_dataset.rewards[:-1]})

def test_lengths_disagree_in_file(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds")
    with h5py.File(path / "data" / "main_data.hdf5", "a") as f:
        del f["episode_1/actions"]; f["episode_1/actions"] = np.zeros(5, np.int64)
    with pytest.raises(ValueError, match=r"episode_1/rewards: expected 5 entries \(one per step, as actions\), found shape \(2,\)"):
        load_dataset(path)

def test_missing_field_in_file(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds")
    with h5py.File(path / "data" / "main_data.hdf5", "a") as f: del f["episode_2/rewards"]
    with pytest.raises(ValueError, match="episode_2: missing field .*rewards"): load_dataset(path)

def test_wrong_dtype(small_dataset):
    with pytest.raises(DatasetError, match="observations: expected uint8 frames .* found dtype int64"):
        OfflineDataset(**{**fields(small_dataset), "observations": small_dataset.observations.astype(np.int64)})

def test_float_frames_outside_unit_range(small_dataset):
    with pytest.raises(DatasetError, match=r"float frames must lie in \[0, 1\] .* found \[0, 255\]"):
        OfflineDataset(**{**fields(small_dataset), "observations": small_dataset.observations.astype(np.float32)})

def test_wrong_frame_shape(small_dataset):
    chw = np.moveaxis(small_dataset.observations, -1, 1)
    with pytest.raises(ValueError, match=r"channels-last .* found shape \(3, 8, 8\)"):
        OfflineDataset(**{**fields(small_dataset), "observations": chw})
    with pytest.raises(ValueError, match="expected frames .* or vectors"):
        OfflineDataset(**{**fields(small_dataset), "observations": small_dataset.observations[..., 0]})

def test_nan_rewards(small_dataset):
    r = small_dataset.rewards.copy(); r[6] = np.nan
    with pytest.raises(ValueError, match=r"rewards: 1 non-finite .* first at step 6 \(episode 2\)"):
        OfflineDataset(**{**fields(small_dataset), "rewards": r})

def test_nan_rewards_in_file(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds")
    with h5py.File(path / "data" / "main_data.hdf5", "a") as f: f["episode_0/rewards"][1] = np.nan
    with pytest.raises(ValueError, match=r"main_data.hdf5: rewards: 1 non-finite"): load_dataset(path)

def test_actions_out_of_range(small_dataset):
    with pytest.raises(ValueError, match=r"actions: expected values in \[0, 2\)"):
        OfflineDataset(**fields(small_dataset), n_actions=2)

def test_continuous_actions_refused(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds")
    meta = json.loads((path / "data" / "metadata.json").read_text())
    meta["action_space"] = json.dumps(dict(type="Box", dtype="float32", shape=[2], low=-1, high=1))
    (path / "data" / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="action_space is Box; ddrl needs discrete actions"): load_dataset(path)

def test_unknown_game():
    with pytest.raises(ValueError, match="unknown Procgen game 'pong'; expected one of: bigfish"): ProcgenSpec("pong")

@pytest.mark.parametrize("percent", [0, -1, 100.01, 250, float("nan"), float("inf")])
def test_percent_out_of_range(small_dataset, percent):
    with pytest.raises(ValueError, match=r"percent must be in \(0, 100\]"): top_percent(small_dataset, percent)

def test_existing_dataset_not_overwritten(tmp_path, small_dataset):
    path = save_dataset(small_dataset, tmp_path / "ds")
    with pytest.raises(FileExistsError, match="already exists"): save_dataset(make_dataset((5,)), path)
    assert load_dataset(path).n_episodes == 3
    save_dataset(make_dataset((5,)), path, overwrite=True)
    assert load_dataset(path).n_episodes == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]

def test_failed_write_leaves_nothing(tmp_path, small_dataset, monkeypatch):
    "A crash in the middle of writing leaves neither a partial dataset nor a temporary folder."
    calls = {"n": 0}
    real = h5py.Group.create_dataset
    def flaky(self, name, *a, **k):
        calls["n"] += 1
        if calls["n"] == 8: raise OSError("disk full (simulated)")
        return real(self, name, *a, **k)
    monkeypatch.setattr(h5py.Group, "create_dataset", flaky)
    with pytest.raises(OSError, match="disk full"): save_dataset(small_dataset, tmp_path / "ds")
    assert list(tmp_path.iterdir()) == []

def test_failed_overwrite_keeps_old(tmp_path, small_dataset, monkeypatch):
    path = save_dataset(small_dataset, tmp_path / "ds")
    monkeypatch.setattr(data, "_space_json", lambda ds: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError): save_dataset(make_dataset((5,)), path, overwrite=True)
    assert load_dataset(path).n_episodes == 3 and sorted(p.name for p in tmp_path.iterdir()) == ["ds"]
