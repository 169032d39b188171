"""A corpus of bad inputs and faults at every boundary (datasets, checkpoints, configs, the CLI, interruptions).

Every case must end in ONE clean outcome: a library error (`DdrlError`, or a ValueError/FileNotFoundError/
FileExistsError raised by ddrl) whose one-line message names the problem, or a `ddrl` exit status 2 with one line on
stderr -- and nothing half-written left behind. Or the result is identical to the uncorrupted data. Never a
traceback, never a silently different result."""
import json, os, shutil, signal, subprocess, sys, time
from pathlib import Path
import h5py, numpy as np, pytest, torch
from conftest import make_dataset
from ddrl import data
from ddrl.data import OfflineDataset, load_dataset, save_dataset
DdrlError = getattr(data, "DdrlError", ValueError)   # the corpus also runs against ddrl before it had one

ERRORS = (DdrlError, ValueError, TypeError, FileNotFoundError, FileExistsError)   # what ddrl raises for bad input
CLI = [sys.executable, "-c", "import sys; from ddrl.cli import main; sys.exit(main(sys.argv[1:]))"]

def fails(fn, *phrases):
    "`fn()` raises a library error, one line, naming every phrase."
    with pytest.raises(ERRORS) as e: fn()
    msg = str(e.value)
    assert "\n" not in msg.strip(), msg
    for p in phrases: assert p in msg, f"{p!r} not in {msg!r}"
    return msg

def cli(*args, cwd=None):
    "Run `ddrl` in-process semantics but in a separate interpreter, as a user does."
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "MPLBACKEND": "Agg"})

def cli_fails(*args, phrase):
    r = cli(*args)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr[-2000:]
    assert phrase in r.stderr, r.stderr
    return r

@pytest.fixture
def saved(tmp_path):
    "A valid dataset (3 episodes of 3, 2, 4 steps; 4 actions) saved in Minari's layout."
    return save_dataset(make_dataset(), tmp_path / "ds")

def h5(path):
    return h5py.File(path / "data" / "main_data.hdf5", "a")

def edit_meta(path, **changes):
    m = path / "data" / "metadata.json"; meta = json.loads(m.read_text()); meta.update(changes)
    m.write_text(json.dumps(meta))

def replace(group, key, value):
    del group[key]; group[key] = value

def game_dataset(tmp_path, game, name="game-ds"):
    ds = make_dataset(frame_shape=(64, 64, 3), n_actions=15)
    ds.metadata = {"env": {"game": game}}
    return save_dataset(ds, tmp_path / name)

def dead_pid() -> int:
    p = subprocess.Popen(["true"]); p.wait(); return p.pid

# ---------------------------------------------------------------- 1. silently wrong results (datasets, experts)
SHIFTS = [("rewards", 1), ("terminations", 1), ("truncations", 1), ("actions", 1), ("rewards", -1)]

@pytest.mark.parametrize("key,delta", SHIFTS)
def test_per_episode_lengths_that_add_up(saved, key, delta):
    "Episode 0 one entry longer, episode 1 one shorter (or the reverse): the sums agree, the episodes do not."
    with h5(saved) as f:
        a, b = f[f"episode_0/{key}"][()], f[f"episode_1/{key}"][()]
        if delta > 0: a, b = np.r_[a, b[:1]], b[1:]
        else: a, b = a[:-1], np.r_[a[-1:], b]
        replace(f["episode_0"], key, a); replace(f["episode_1"], key, b)
    fails(lambda: load_dataset(saved), "main_data.hdf5:episode_", "expected", "entries")

def test_termination_before_the_episode_end(saved):
    with h5(saved) as f: f["episode_2/terminations"][1] = True
    fails(lambda: load_dataset(saved), "episode 2 ends at step 1 of 4")

def test_shifted_flags_in_memory():
    ds = make_dataset()
    term = np.roll(ds.terminations, 1)
    fails(lambda: OfflineDataset(ds.observations, ds.actions, ds.rewards, term, ds.truncations, ds.episode_lengths),
          "terminations/truncations", "do not line up")

def test_the_file_asked_for_is_the_file_read(saved, tmp_path):
    other = make_dataset(lengths=(5, 5), seed=3)
    save_dataset(other, tmp_path / "other")
    shutil.copy(tmp_path / "other" / "data" / "main_data.hdf5", saved / "data" / "other.hdf5")
    ds = load_dataset(saved / "data" / "other.hdf5", env="bigfish")
    assert ds.n_episodes == 2 and np.array_equal(ds.observations, other.observations)

def test_no_metadata_is_refused(saved):
    (saved / "data" / "metadata.json").unlink()
    fails(lambda: load_dataset(saved), "no metadata", "number of actions is unknown", "--env")

def test_no_metadata_takes_the_games_action_count(saved):
    (saved / "data" / "metadata.json").unlink()
    with pytest.warns(UserWarning, match="taking the action count"): ds = load_dataset(saved, env="bigfish")
    assert ds.n_actions == 15

def test_dataset_of_another_game_for_summary(tmp_path):
    path = game_dataset(tmp_path, "starpilot")
    cli_fails("summary", path, "--env", "bigfish", phrase="is from 'starpilot', but 'bigfish' was asked for")

def test_dataset_of_another_game_for_distill(tmp_path):
    path = game_dataset(tmp_path, "starpilot")
    cli_fails("distill", "--dataset", path, "--expert", "bigfish", "--size", "15", "--iterations", "1",
              "--out", tmp_path / "out", "--quiet", phrase="is from 'starpilot', but 'bigfish' was asked for")
    assert not (tmp_path / "out").exists()

def test_expert_of_another_game_for_eval():
    cli_fails("expert", "eval", "--env", "bigfish", "--checkpoint", "starpilot", "--episodes", "1",
              phrase="expert starpilot is from 'starpilot', but 'bigfish' was asked for")

# ---------------------------------------------------------------- 2. tracebacks instead of errors
def test_zero_step_episode(saved):
    with h5(saved) as f:
        for k in ("actions", "rewards", "terminations", "truncations"): replace(f["episode_1"], k, f[f"episode_1/{k}"][:0])
        replace(f["episode_1"], "observations", f["episode_1/observations"][:1])
    fails(lambda: load_dataset(saved), "episode_1", "0 steps")

@pytest.mark.parametrize("n", [10 ** 12, -3, 0, "15", 2.5, None])
def test_absurd_action_count(saved, n):
    edit_meta(saved, action_space=json.dumps(dict(type="Discrete", dtype="int64", start=0, n=n)))
    fails(lambda: load_dataset(saved), "action_space.n", "expected a whole number of actions")

def test_frames_of_the_wrong_shape_reach_the_expert():
    from ddrl.expert import load_expert
    net = load_expert("bigfish")
    fails(lambda: net(np.zeros((2, 32, 32, 3), np.uint8)), "frames of shape (32, 32, 3)", "(64, 64, 3)")

def test_corrupt_chunk_read_lazily(saved):
    with h5py.File(saved / "data" / "main_data.hdf5", "r") as f:
        info = f["episode_2/observations"].id.get_chunk_info(2)
    raw = bytearray((saved / "data" / "main_data.hdf5").read_bytes())
    raw[info.byte_offset:info.byte_offset + info.size] = b"\x00\xff" * (info.size // 2) + b"\x00" * (info.size % 2)
    (saved / "data" / "main_data.hdf5").write_bytes(bytes(raw))
    ds = load_dataset(saved, max_memory_mb=0)
    assert getattr(ds.observations, "on_disk", False)
    fails(lambda: ds.observations[np.arange(len(ds))], "episode_2/observations: cannot be read")

def test_truncated_expert(tmp_path):
    run = tmp_path / "expert"; shutil.copytree(Path(data.__file__).parent / "experts", run)
    shutil.move(run / "bigfish.pt", run / "expert.pt"); shutil.move(run / "bigfish.json", run / "card.json")
    (run / "expert.pt").write_bytes((run / "expert.pt").read_bytes()[:5000])
    cli_fails("expert", "eval", "--env", "bigfish", "--checkpoint", run, "--episodes", "1",
              phrase="expert.pt: cannot be read as a expert checkpoint (truncated or corrupt?)")

def test_garbage_expert(tmp_path):
    (tmp_path / "expert.pt").write_bytes(os.urandom(4096))
    (tmp_path / "card.json").write_text(json.dumps(dict(game="bigfish", arch="impala")))
    cli_fails("expert", "eval", "--env", "bigfish", "--checkpoint", tmp_path, "--episodes", "1",
              phrase="truncated or corrupt")

def test_expert_of_another_architecture(tmp_path):
    shutil.copy(Path(data.__file__).parent / "experts" / "bigfish.pt", tmp_path / "expert.pt")
    card = json.loads((Path(data.__file__).parent / "experts" / "bigfish.json").read_text())
    other = "impala" if card["arch"] == "nature" else "nature"
    (tmp_path / "card.json").write_text(json.dumps({**card, "arch": other, "arch_kwargs": {}}))
    cli_fails("expert", "eval", "--env", "bigfish", "--checkpoint", tmp_path, "--episodes", "1",
              phrase=f"weights do not fit a {other} network")

def test_broken_card(tmp_path):
    torch.save({}, tmp_path / "expert.pt"); (tmp_path / "card.json").write_text("{broken")
    cli_fails("expert", "eval", "--env", "bigfish", "--checkpoint", tmp_path, phrase="card.json: not valid JSON")

def distill_run(tmp_path, out):
    ds = make_dataset(lengths=(10, 10), n_actions=3, frame_shape=(64, 64, 3))
    save_dataset(ds, tmp_path / "small")
    r = cli("distill", "--dataset", tmp_path / "small", "--method", "student-gm", "--size", "6", "--iterations", "2",
            "--checkpoint-every", "1", "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr[-2000:]
    return out / "checkpoint.pt"

@pytest.mark.parametrize("fault,phrase", [("truncate", "cannot be read as a distill-run checkpoint"),
                                          ("garbage", "truncated or corrupt"),
                                          ("newer", "format version 99"),
                                          ("other-kind", "is a students checkpoint, expected a distill-run"),
                                          ("incomplete", "missing 'synthetic'")])
def test_distill_checkpoint_on_resume(tmp_path, fault, phrase):
    ckpt = distill_run(tmp_path, tmp_path / "run")
    if fault == "truncate": ckpt.write_bytes(ckpt.read_bytes()[:300])
    elif fault == "garbage": ckpt.write_bytes(os.urandom(2000))
    else:
        ck = torch.load(ckpt, weights_only=False)
        if fault == "newer": ck["format_version"] = 99
        if fault == "other-kind": ck["ddrl_format"] = "students"
        if fault == "incomplete": del ck["synthetic"]
        torch.save(ck, ckpt)
    before = sorted(p.name for p in (tmp_path / "run").iterdir())
    cli_fails("distill", "--dataset", tmp_path / "small", "--method", "student-gm", "--size", "6", "--iterations", "4",
              "--out", tmp_path / "run", "--resume", "--quiet", phrase=phrase)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == before   # nothing new, nothing half-written

def test_corrupt_students(tmp_path):
    from ddrl.bc import BCConfig, load_students, save_students, train_students
    nets = train_students(make_dataset(frame_shape=(64, 64, 3)), BCConfig(steps=1, batch_size=4), [0], progress=False)
    path = save_students(nets, tmp_path / "students")
    (path / "students.pt").write_bytes((path / "students.pt").read_bytes()[:100])
    fails(lambda: load_students(path), "students.pt: cannot be read as a students checkpoint")

def make_batch(tmp_path, env="cartpole"):
    from ddrl.task import PPMOConfig, SyntheticBatch, save_batch
    n = 4 * int(env.split("-")[1][0]) if "-" in env else 4
    batch = SyntheticBatch(torch.randn(2, n), 2, True, 0.02)
    save_batch(batch, tmp_path / "batch.pt", PPMOConfig(env, size=2))
    return tmp_path / "batch.pt"

def test_corrupt_task_batch(tmp_path):
    path = make_batch(tmp_path); path.write_bytes(path.read_bytes()[:200])
    cli_fails("task", "eval", path, "--learners", "2", phrase="batch.pt: cannot be read as a task-batch checkpoint")

def test_task_batch_on_an_env_of_another_dimension(tmp_path):
    path = make_batch(tmp_path, "cartpole-2d")
    cli_fails("task", "eval", path, "--env", "cartpole", "--learners", "2", phrase="does not fit cartpole")

def test_task_batch_with_nan_states(tmp_path):
    path = make_batch(tmp_path); d = torch.load(path, weights_only=False); d["states"][0, 0] = float("nan")
    torch.save(d, path)
    cli_fails("task", "eval", path, "--learners", "2", phrase="must be finite tensors")

def test_task_batch_with_state_statistics_of_another_shape(tmp_path):
    path = make_batch(tmp_path); d = torch.load(path, weights_only=False)
    d["obs_norm"] = dict(mean=np.zeros(3), var=np.ones(3), count=10.0)
    torch.save(d, path)
    cli_fails("task", "eval", path, "--learners", "2", phrase="obs_norm: expected finite mean and var of shape (4,)")

def test_ppo_baseline_of_a_folder_that_is_no_ppmo_run(tmp_path):
    cli_fails("task", "ppo", "--like", tmp_path, "--out", tmp_path / "ppo", phrase="not a PPMO run folder (no config.json)")
    assert not (tmp_path / "ppo").exists()

def test_ppo_baseline_of_a_run_with_a_bad_config(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(dict(env="cartpole", rollout=0)))
    cli_fails("task", "ppo", "--like", tmp_path, "--out", tmp_path / "ppo", phrase="rollout must be >= 1, found 0")

def test_ppo_checkpoint_of_another_kind_on_resume(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(dict(env="cartpole", rollout=10, meta_epochs=2)))
    (tmp_path / "ppo").mkdir(); shutil.copy(make_batch(tmp_path / "ppo"), tmp_path / "ppo" / "ppo.pt")
    cli_fails("task", "ppo", "--like", tmp_path, "--out", tmp_path / "ppo", "--resume", "--quiet",
              phrase="is a task-batch checkpoint, expected a task-ppo checkpoint")

def test_out_is_a_file_for_collect(tmp_path):
    (tmp_path / "f").write_text("x")
    cli_fails("collect", "--env", "bigfish", "--episodes", "1", "--out", tmp_path / "f", phrase="is a file")

def test_out_is_a_file_for_run(tmp_path):
    (tmp_path / "f").write_text("x")
    cli_fails("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path / "f", phrase="is a file")
    assert (tmp_path / "f").read_text() == "x"

def test_out_below_a_file_for_distill(saved, tmp_path):
    (tmp_path / "f").write_text("x")
    cli_fails("distill", "--dataset", saved, "--method", "student-gm", "--size", "4", "--iterations", "1",
              "--out", tmp_path / "f" / "run", "--quiet", phrase=f"{tmp_path / 'f'} is a file, expected a folder")

def test_save_below_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    fails(lambda: save_dataset(make_dataset(), tmp_path / "f" / "ds"), "a file is in the way")

def test_save_over_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    fails(lambda: save_dataset(make_dataset(), tmp_path / "f", overwrite=True), "is a file, not a folder")
    assert (tmp_path / "f").read_text() == "x"

@pytest.mark.parametrize("device", ["gpu", "cuda:7", "tpu", "cpu:x"])
def test_device_typos(device):
    cli_fails("expert", "eval", "--env", "bigfish", "--device", device, "--episodes", "1", phrase=f"device {device!r}")

# ---------------------------------------------------------------- 3. messages that name the problem
def test_unexpected_group_name(saved):
    with h5(saved) as f: f.move("episode_1", "episode_x")
    fails(lambda: load_dataset(saved), "main_data.hdf5", "unexpected group 'episode_x'")

def test_extra_group(saved):
    with h5(saved) as f: f.create_group("stats")
    fails(lambda: load_dataset(saved), "unexpected group 'stats'")

def test_metadata_not_an_object(saved):
    (saved / "data" / "metadata.json").write_text("[1, 2]")
    fails(lambda: load_dataset(saved), "metadata.json: expected a JSON object")

def test_counts_disagree_with_the_file(saved):
    edit_meta(saved, total_steps=10)
    fails(lambda: load_dataset(saved), "metadata.json: total_steps says 10", "holds 9")
    edit_meta(saved, total_steps=9, total_episodes=4)
    fails(lambda: load_dataset(saved), "total_episodes says 4", "holds 3")

def test_broken_manifest(tmp_path):
    run = tmp_path / "bigfish" / "ci"; run.mkdir(parents=True); (run / "manifest.json").write_text("[]")
    cli_fails("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, phrase="manifest.json: broken manifest")

def test_broken_run_config(tmp_path):
    from ddrl.pipeline import run_stage
    (tmp_path / "config.json").write_text('{"game": "bigfish", "n_student": 3}')
    fails(lambda: run_stage(tmp_path, "bc"), "config.json", "unknown key 'n_student'")

def test_soft_labels_in_some_episodes(saved):
    with h5(saved) as f: f["episode_0/infos"].create_dataset("soft_labels", data=np.full((3, 4), 0.25, np.float32))
    fails(lambda: load_dataset(saved), "soft_labels", "some episodes but not all")

def test_soft_labels_of_the_wrong_length(saved):
    with h5(saved) as f: f["episode_0/infos"].create_dataset("soft_labels", data=np.full((2, 4), 0.25, np.float32))
    fails(lambda: load_dataset(saved), "episode_0/infos/soft_labels: expected 3 rows")

def test_bad_dataset_id(tmp_path):
    fails(lambda: save_dataset(make_dataset(), tmp_path / "x", dataset_id="my dataset"), "dataset_id", "name-vN")
    assert not (tmp_path / "x").exists()

# ---------------------------------------------------------------- 4. values that cannot work
@pytest.mark.parametrize("override,phrase", [("bc_lr=.nan", "bc_lr: expected a finite learning rate"),
                                             ("bc_lr=-1", "bc_lr: expected a finite learning rate"),
                                             ("syn_lr=.inf", "syn_lr: expected a finite learning rate"),
                                             ("device=gpu", "device: device 'gpu'"),
                                             ("distribution_mode=medium", "distribution_mode: expected one of"),
                                             ("expert_arch=resnet", "expert_arch: expected one of"),
                                             ("percents=[]", "percents: expected at least one"),
                                             ("bc_lr=[1", "not valid YAML"),
                                             ("=3", "expected key=value")])
def test_run_config_values(tmp_path, override, phrase):
    cli_fails("run", "--env", "bigfish", "--preset", "ci", "--set", override, "--out", tmp_path / "runs",
              phrase=phrase)
    assert not (tmp_path / "runs").exists()

@pytest.mark.parametrize("kwargs,phrase", [(dict(lr=float("inf")), "lr must be > 0 and finite"),
                                           (dict(lr=float("nan")), "lr must be > 0 and finite"),
                                           (dict(momentum=1.5), "momentum"),
                                           (dict(inner_lr=-0.1), "inner_lr"),
                                           (dict(device="gpu"), "device 'gpu'")])
def test_distill_config_values(kwargs, phrase):
    from ddrl.distill import DistillConfig
    fails(lambda: DistillConfig("pbc", **kwargs), phrase)

def test_bc_config_nan_lr():
    from ddrl.bc import BCConfig
    fails(lambda: BCConfig(lr=float("nan")), "lr must be > 0 and finite")

# ---------------------------------------------------------------- 5. concurrency and interruption
def test_second_run_into_the_same_folder_stops_at_once(tmp_path):
    from ddrl.pipeline import run_lock
    with run_lock(tmp_path / "bigfish" / "ci"):
        t0 = time.time()
        r = cli_fails("run", "--env", "bigfish", "--preset", "ci", "--out", tmp_path, phrase="is in use by ddrl run (pid")
        assert str(os.getpid()) in r.stderr and time.time() - t0 < 60
    assert not (tmp_path / "bigfish" / "ci").exists()

def test_stale_temporaries_are_cleaned(tmp_path):
    pid = dead_pid()
    stale = [tmp_path / f".ds.tmp-{pid}-abcd", tmp_path / f".expert.pt.tmp-{pid}"]
    stale[0].mkdir(); (stale[0] / "x").write_text("partial"); stale[1].write_text("partial")
    live = tmp_path / f".other.tmp-{os.getpid()}-efgh"; live.mkdir()   # a running writer's: kept
    save_dataset(make_dataset(), tmp_path / "ds")
    assert not any(p.exists() for p in stale) and live.exists()

def test_kill_9_while_saving_then_next_save_cleans_up(tmp_path):
    script = ("import numpy as np, sys\nfrom ddrl.data import OfflineDataset, save_dataset\n"
              "n = 40000; rng = np.random.default_rng(0)\n"
              "ds = OfflineDataset.from_arrays(rng.integers(0, 256, (n, 64, 64, 3), dtype=np.uint8), np.zeros(n, int),"
              " episode_lengths=[100] * 400)\n"
              "print('saving', flush=True); save_dataset(ds, sys.argv[1])\n")
    p = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "big")], stdout=subprocess.PIPE)
    assert p.stdout.readline().strip() == b"saving"
    deadline = time.time() + 120
    while not list(tmp_path.glob(".big.tmp-*")):
        assert time.time() < deadline and p.poll() is None
        time.sleep(0.05)
    time.sleep(0.5); os.kill(p.pid, signal.SIGKILL); p.wait()
    assert list(tmp_path.glob(".big.tmp-*")) and not (tmp_path / "big").exists()   # the kill left a temporary
    save_dataset(make_dataset(), tmp_path / "small")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["small"]

def test_killed_run_leaves_temporaries_that_resuming_cleans(tmp_path):
    from ddrl.pipeline import load_config, prepare_run
    cfg = load_config("bigfish", "ci")
    run, _ = prepare_run(cfg, "ci", tmp_path / "run")
    pid = dead_pid()
    (run / f".manifest.json.tmp-{pid}").write_text("{"); (run / "data.partial").mkdir()
    (run / "data.partial" / f".dataset.tmp-{pid}-xyz").mkdir()
    prepare_run(cfg, "ci", tmp_path / "run")
    assert not (run / f".manifest.json.tmp-{pid}").exists() and not (run / "data.partial" / f".dataset.tmp-{pid}-xyz").exists()
