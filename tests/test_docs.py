"The documentation site builds from the notebooks and has their pages and the API entries."
import subprocess, sys
from pathlib import Path
import ddrl
ROOT = Path(__file__).resolve().parents[1]

def test_docs_site_builds(tmp_path):
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "tools/build_docs.py", "--site", str(site)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    for page in ("index.html", "00_data.html", "01_expert.html", "02_bc.html", "03_distill.html", "04_eval.html",
                 "04a_report.html", "06_pipeline.html", "07_cli.html", "api/data.html", "api/expert.html", "api/bc.html",
                 "api/eval.html", "api/report.html", "api/distill.html", "api/cli.html", "api/pipeline.html",
                 "results/pipeline-quick/report.html"):
        assert (site / page).exists(), page
    api = (site / "api" / "data.html").read_text()
    for entry in ("collect", "OfflineDataset", "save_dataset", "load_dataset", "top_percent", "ProcgenSpec",
                  "whole episodes to keep"):   # a documented parameter (docments)
        assert entry in api, entry
    nb = (site / "00_data.html").read_text()
    assert "Unbiased episode sampling" in nb and "Percentile filtering" in nb
    assert "make test" in (site / "index.html").read_text()
    for page, entries in {"expert": ("ImpalaCNN", "train_expert", "load_expert", "PPOConfig"),
                          "bc": ("StudentCNN", "train_students", "percentile_bc", "BCConfig"),
                          "eval": ("evaluate_policies", "contrast", "results_frame", "compare"),
                          "report": ("paper_table", "plot_id_ood", "how_obtained", "run_report"),
                          "distill": ("SyntheticSet", "distill", "DistillConfig", "class_mean_gradients")}.items():
        html = (site / "api" / f"{page}.html").read_text()
        for entry in entries: assert entry in html, (page, entry)
    results = (site / "results" / "pipeline-quick" / "report.html").read_text()   # the committed pipeline report
    assert "Table 2-style" in results and "id_ood_sampled.png" in results
