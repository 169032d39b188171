"""Property-based tests (hypothesis) of the validation layer: corrupted datasets and configurations give either a
clean library error or a result identical to the uncorrupted one -- never a silently different result."""
import json, math
from pathlib import Path
import h5py, numpy as np, pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from conftest import make_dataset
from ddrl.data import DdrlError, load_dataset, save_dataset
from ddrl.pipeline import ConfigError, RunConfig, load_config

FIELDS = ("observations", "actions", "rewards", "terminations", "truncations")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in (*FIELDS, "episode_lengths", "level_seeds")) \
        and a.n_actions == b.n_actions

@st.composite
def corruption(draw):
    "One corruption of a saved dataset: what to change, in which episode, how."
    kind = draw(st.sampled_from(["move_step", "drop_step", "add_step", "flag", "nan", "action", "n_actions",
                                 "total_steps", "total_episodes", "delete", "rename", "obs_dtype", "noop"]))
    return kind, draw(st.integers(0, 2)), draw(st.sampled_from(FIELDS[1:])), draw(st.integers(-10 ** 6, 10 ** 6))

def corrupt(path: Path, kind, ep, key, number):
    f = h5py.File(path / "data" / "main_data.hdf5", "a")
    meta_file = path / "data" / "metadata.json"; meta = json.loads(meta_file.read_text())
    with f:
        g, other = f[f"episode_{ep}"], f[f"episode_{(ep + 1) % 3}"]
        def put(group, k, v): del group[k]; group[k] = v
        if kind == "move_step":   # one step moves to the next episode: the sums still agree
            a, b = g[key][()], other[key][()]
            put(g, key, a[:-1]); put(other, key, np.r_[a[-1:], b])
        elif kind == "drop_step": put(g, key, g[key][:-1])
        elif kind == "add_step": put(g, key, np.r_[g[key][()], g[key][-1:]])
        elif kind == "flag": g["terminations"][0] = True if len(g["terminations"]) > 1 else g["terminations"][0]
        elif kind == "nan": g["rewards"][0] = np.nan
        elif kind == "action":   # a valid action in place of another cannot be detected: out of range only
            n = json.loads(meta["action_space"])["n"]
            g["actions"][0] = number if not 0 <= number < n else n
        elif kind == "n_actions": meta["action_space"] = json.dumps(dict(type="Discrete", start=0, n=number))
        elif kind == "total_steps": meta["total_steps"] = meta["total_steps"] + (number or 1)
        elif kind == "total_episodes": meta["total_episodes"] = number
        elif kind == "delete": del g[key]
        elif kind == "rename": f.move(f"episode_{ep}", f"episode_{ep}x")
        elif kind == "obs_dtype": put(g, "observations", g["observations"][()].astype(np.float32))
    meta_file.write_text(json.dumps(meta))

@SETTINGS
@given(corruption())
def test_corrupted_dataset_is_refused_or_unchanged(tmp_path_factory, c):
    original = make_dataset()
    path = save_dataset(original, tmp_path_factory.mktemp("p") / "ds")
    corrupt(path, *c)
    try: loaded = load_dataset(path)
    except DdrlError as e:
        assert c[0] != "noop", f"refused an intact dataset: {e}"
        assert str(e).strip() and "\n" not in str(e).strip()
        return
    if c[0] == "n_actions":   # a larger action space that the data fits is a valid edit, read as written
        assert loaded.n_actions == c[3]; loaded.n_actions = original.n_actions
    assert same(loaded, original), f"{c}: loaded a different dataset without a word"

VALUES = st.one_of(st.integers(-5, 10 ** 6), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                   st.text(max_size=8), st.none(), st.lists(st.integers(-5, 200), max_size=3))

@SETTINGS
@given(st.dictionaries(st.sampled_from([f.name for f in RunConfig.__dataclass_fields__.values()] + ["lr", "typo"]),
                       VALUES, min_size=1, max_size=3))
def test_config_overrides_are_refused_or_applied(overrides):
    try: cfg = load_config("bigfish", "ci", overrides)
    except ConfigError as e:
        assert str(e).strip() and "\n" not in str(e).strip()
        return
    for k, v in overrides.items():   # accepted: exactly what was asked, and a value that can work
        assert getattr(cfg, k) == v, (k, v)
    for k in ("bc_lr", "syn_lr"): assert math.isfinite(getattr(cfg, k)) and getattr(cfg, k) > 0
    assert cfg.device == "auto" or cfg.device.startswith("cpu")
