"The pipeline's grid of jobs on a local Ray instance gives the same numbers as in-process."
import numpy as np, pandas as pd, pytest
from ddrl.eval import load_results
from ddrl.distill import CONTROLS
from ddrl.pipeline import load_config, run_pipeline, read_manifest, set_backend

ray = pytest.importorskip("ray", reason="the `ray` extra is not installed (CI installs it with .[dev])")

def test_ray_grid_equals_in_process(tmp_path):
    kw = dict(executor="inprocess", progress=False, log=lambda s: None, overrides=dict(percents=[10, 25, 100], threads=1))
    try:
        local = run_pipeline("jumper", "ci", out=tmp_path / "local", backend="local", **kw)
        on_ray = run_pipeline("jumper", "ci", out=tmp_path / "ray", backend="ray", **kw)
        assert ray.is_initialized() and ray.cluster_resources().get("CPU", 0) >= 1
    finally:
        set_backend("local")
        if ray.is_initialized(): ray.shutdown()
    assert {s["backend"] for s in read_manifest(on_ray)["stages"].values()} == {"ray"}
    assert {s["backend"] for s in read_manifest(local)["stages"].values()} == {"local"}
    a, b = load_results(local / "eval" / "results"), load_results(on_ray / "eval" / "results")
    methods = list(dict.fromkeys(a["records"].method))
    assert methods == list(dict.fromkeys(b["records"].method))
    cfg = load_config("jumper", "ci", overrides=kw["overrides"])
    assert len(methods) == 2 + len(cfg.percents) + len(CONTROLS) + len(cfg.methods)   # + random, expert
    pd.testing.assert_frame_equal(a["records"], b["records"])
    assert (local / "report.md").read_text().split("### Stage timings")[0] == (on_ray / "report.md").read_text().split("### Stage timings")[0]
