"""Build the documentation site from the notebooks with PyPI tools (mkdocs-material), readable offline.

nbdev's own site builder (`nbdev-docs`) needs Quarto, which cannot be installed from PyPI; it still works for anyone
who has Quarto. This script:
1. writes README.md from nbs/index.ipynb (hidden cells and `#|` directives removed);
2. executes every notebook as `nbdev-test` does (CI sizes, `#| slow` cells skipped, working directory nbs/) and
   keeps the executed copies in _docs_cache/ until the notebook or the package changes;
3. turns each executed notebook into a Markdown page the way nbdev shows it (tools/docs_pages.py): prose, examples
   with their outputs, each exported definition's entry in place of its source, backticked names as links;
4. stages the results (Markdown, figures and small text files; no weights or datasets) with a generated overview,
   MathJax from the `django-static-mathjax` package, the style sheet in tools/docs_theme/, the source notebooks
   for download, and runs `mkdocs build` into site/.
`make test` runs the notebooks through `--test-notebooks` (the same cells as `nbdev-test`, failing the same way), so
they run once per test session and the site test reuses the executed copies.
Usage: python tools/build_docs.py [--readme-only | --test-notebooks] [--no-execute] [--site DIR] [--workers N]
"""
from __future__ import annotations
import argparse, hashlib, json, os, re, shutil, subprocess, sys, time, traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from fastcore.nbio import nb2str, read_nb

ROOT = Path(__file__).resolve().parents[1]
NBS, CACHE, THEME = ROOT / "nbs", ROOT / "_docs_cache", Path(__file__).parent / "docs_theme"
sys.path.insert(0, str(Path(__file__).parent))
import docs_pages

RESULT_FILES = (".md", ".png", ".jpg", ".jpeg", ".svg", ".gif", ".json", ".csv", ".txt", ".yaml")  # no .pt/.hdf5
MAX_RESULT_BYTES = 2_000_000
EXTRA_PAGES = ("experiments/README.md", "benchmarks/README.md")   # how the results are made
EXECUTOR = "ddrl-docs-executor 1"   # change to invalidate every cached execution

def readme_text() -> str:
    "README.md from nbs/index.ipynb, for GitHub and PyPI (links stay relative to the repository root)."
    import nbformat
    from nbconvert import MarkdownExporter
    nb = read_nb(NBS / "index.ipynb")
    nb.cells = [c for c in nb.cells if not docs_pages.is_hidden(c)]
    for c in nb.cells:
        if c.cell_type == "code": c.source = docs_pages.strip_directives(c.source)
    body, _ = MarkdownExporter().from_notebook_node(nbformat.reads(nb2str(nb), as_version=4))
    note = "<!-- generated from nbs/index.ipynb by `make docs`; edit the notebook, not this file -->\n\n"
    return note + body.strip() + "\n"

# --- executing the notebooks ----------------------------------------------------------------------------------

def execution_key(nb_path: Path) -> str:
    "Changes when the notebook's cells or anything the package runs (code, shipped experts, configs) change."
    h = hashlib.sha256(EXECUTOR.encode())
    for cell in json.loads(nb_path.read_text())["cells"]:
        h.update(cell["cell_type"].encode() + "".join(cell["source"]).encode())
    files = [p for p in (ROOT / "ddrl").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for p in sorted(files + list((ROOT / "configs").glob("*"))):
        h.update(str(p.relative_to(ROOT)).encode() + p.read_bytes())
    return h.hexdigest()[:20]

def execute_notebook(src: Path, dst: Path, cell_timeout: int | None = None):   # no limit, as nbdev-test
    "Run `src` as `nbdev-test` does (same cells skipped, working directory nbs/) and save it with outputs to `dst`."
    from execnb.shell import CaptureShell
    from fastcore.nbio import does_cell_eval, write_nb
    from nbdev.config import get_config
    os.environ["IN_TEST"] = "1"
    os.environ["COLUMNS"] = "100"   # argparse's help and usage lines at a page's width
    flags = set(str(get_config().get("tst_flags", "")).split())
    nb = read_nb(src)
    def skipped(cell):
        return cell.cell_type != "code" or not does_cell_eval(cell, True) or bool(flags & cell.directives.keys())
    shell = CaptureShell(src)
    os.chdir(src.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=skipped, cell_timeout=cell_timeout)
    except BaseException:
        sys.stderr.write((shell.prettytb(fname=src) or traceback.format_exc()) + "\n")
        sys.exit(1)
    write_nb(nb, dst)

def executed_notebooks(paths: list[Path], workers: int, refresh: bool = False) -> dict[Path, Path]:
    "Each notebook's executed copy in _docs_cache/, running (`workers` at a time) those whose key changed, or all."
    CACHE.mkdir(exist_ok=True)
    out = {p: CACHE / f"{p.stem}.{execution_key(p)}.ipynb" for p in paths}
    todo, failed = [p for p in paths if refresh or not out[p].exists()], []
    # several torch processes with a thread per core each would oversubscribe the cores and run several times slower
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", str(max(1, len(os.sched_getaffinity(0)) // max(1, workers))))
    def run(p):
        t0 = time.time()
        tmp = out[p].with_suffix(f".{os.getpid()}.partial")
        r = subprocess.run([sys.executable, __file__, "--execute-one", str(p), str(tmp)], capture_output=True, text=True,
                           env=env)
        if r.returncode:
            failed.append(p.name)
            print(f"  {p.name} FAILED after {time.time() - t0:.0f} s:\n{(r.stderr or r.stdout)[-6000:]}", flush=True)
            return
        for old in CACHE.glob(f"{p.stem}.*.ipynb"): old.unlink()
        tmp.rename(out[p])
        print(f"  {p.name}: {time.time() - t0:.0f} s", flush=True)
    if todo: print(f"executing {len(todo)} notebook(s), {workers} at a time with {env['OMP_NUM_THREADS']} torch thread(s)"
                   f" each (copies with outputs kept in {CACHE.name}/)")
    with ThreadPoolExecutor(max(1, workers)) as pool: list(pool.map(run, sorted(todo, key=lambda p: -p.stat().st_size)))
    if failed: raise SystemExit(f"{len(failed)} notebook(s) failed: {', '.join(sorted(failed))}")
    return out

# --- staging the pages ------------------------------------------------------------------------------------------

def stage_results(stage_dir: Path) -> list[str]:
    "Copy the results a site can show (Markdown, figures, small text files) into the staging folder."
    staged = []
    for path in sorted((ROOT / "results").rglob("*")):
        if not path.is_file() or path.suffix.lower() not in RESULT_FILES or path.stat().st_size > MAX_RESULT_BYTES:
            continue
        rel = path.relative_to(ROOT)
        (stage_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, stage_dir / rel)
        staged.append(rel.as_posix())
    for rel in EXTRA_PAGES:
        if (ROOT / rel).exists():
            (stage_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, stage_dir / rel)
            staged.append(rel)
    return staged

def stage_mathjax(stage_dir: Path):
    "MathJax 3 (SVG output: one file, no web fonts) from the `django-static-mathjax` package."
    import mathjax
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    dst = stage_dir / "assets" / "mathjax"
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(es5 / "tex-svg.js", dst / "tex-svg.js")
    shutil.copytree(es5 / "input" / "tex" / "extensions", dst / "input" / "tex" / "extensions", dirs_exist_ok=True)

def stage(stage_dir: Path, execute: bool, workers: int) -> list:
    "Write every page into the staging folder; return the navigation."
    if stage_dir.exists(): shutil.rmtree(stage_dir)
    (stage_dir / "notebooks").mkdir(parents=True)
    notebooks = sorted(NBS.glob("*.ipynb"), key=lambda p: (p.stem != "index", p.stem))
    executed = executed_notebooks(notebooks, workers) if execute else {p: p for p in notebooks}
    results = stage_results(stage_dir)
    site = docs_pages.Site(ROOT, notebooks, results)
    nav = []
    for path in notebooks:
        shutil.copy2(path, stage_dir / "notebooks" / path.name)
        page = site.notebook_page(path, read_nb(executed[path]))
        (stage_dir / page.name).write_text(page.markdown)
        for name, data in page.files.items():
            (stage_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (stage_dir / name).write_bytes(data)
        nav.append({("Home" if path.stem == "index" else page.title): page.name})
    (stage_dir / "api.md").write_text(site.api_index())
    for rel in results:
        if rel.endswith(".md"): (stage_dir / rel).write_text(site.markdown_page(rel, (ROOT / rel).read_text()))
    (stage_dir / "results" / "index.md").write_text(site.results_overview())
    result_pages = [{site.title_of(r): r} for r in site.result_pages()]
    stage_mathjax(stage_dir)
    shutil.copytree(THEME, stage_dir / "assets" / "ddrl", dirs_exist_ok=True)
    return [nav[0], {"Notebooks": nav[1:]}, {"Results": [{"Overview": "results/index.md"}] + result_pages},
            {"API index": "api.md"}]

def mkdocs_config(nav, stage_dir: Path, site: Path) -> Path:
    import yaml
    cfg = dict(
        site_name="ddrl", site_description="Dataset distillation for reinforcement learning",
        docs_dir=str(stage_dir), site_dir=str(site), use_directory_urls=False,
        theme=dict(name="material", font=False,
                   palette=dict(scheme="default", primary="indigo", accent="indigo"),
                   features=["navigation.sections", "navigation.footer", "navigation.top", "navigation.tracking",
                             "toc.integrate", "content.code.copy", "search.highlight"]),
        markdown_extensions=["tables", "admonition", "attr_list", "md_in_html", "footnotes", "def_list",
                             "pymdownx.details", "pymdownx.superfences", "pymdownx.inlinehilite",
                             dict(toc=dict(permalink=True, toc_depth=4)),
                             {"pymdownx.highlight": dict(pygments_lang_class=True)},
                             {"pymdownx.arithmatex": dict(generic=True)},
                             {"pymdownx.emoji": dict(emoji_index="!!python/name:material.extensions.emoji.twemoji",
                                                     emoji_generator="!!python/name:material.extensions.emoji.to_svg")}],
        extra=dict(social=[dict(icon="fontawesome/brands/github", link=docs_pages.repo_url(ROOT), name="ddrl on GitHub")]),
        extra_css=["assets/ddrl/site.css"],
        extra_javascript=["assets/ddrl/mathjax-config.js", "assets/mathjax/tex-svg.js"],
        plugins=["search", {"glightbox": dict(zoomable=True, skip_classes=["no-lightbox"])}],
        not_in_nav="/notebooks/",
        nav=nav)
    path = stage_dir.with_suffix(".yml")   # beside the staged pages, not inside them
    text = yaml.safe_dump(cfg, sort_keys=False)
    path.write_text(re.sub(r"'(!!python/name:[^']+)'", r"\1", text))
    return path

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--readme-only", action="store_true", help="only regenerate README.md")
    p.add_argument("--no-execute", action="store_true", help="use the outputs saved in the notebooks")
    p.add_argument("--site", default=str(ROOT / "site"), help="output folder (default: site/)")
    p.add_argument("--stage", default=str(ROOT / "_mkdocs"), help="folder for the generated pages (default: _mkdocs/)")
    p.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="notebooks executed at a time")
    p.add_argument("--test-notebooks", action="store_true",
                   help="only execute every notebook as a test (as nbdev-test does), refreshing the executed copies")
    p.add_argument("--execute-one", nargs=2, metavar=("NOTEBOOK", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.execute_one: return execute_notebook(Path(args.execute_one[0]).resolve(), Path(args.execute_one[1]).resolve())
    if args.test_notebooks:
        executed_notebooks(sorted(NBS.glob("*.ipynb")), args.workers, refresh=True)
        return print("every notebook ran without error")
    if not args.no_readme: (ROOT / "README.md").write_text(readme_text())
    if args.readme_only: return
    stage_dir = Path(args.stage).resolve()
    cfg = mkdocs_config(stage(stage_dir, not args.no_execute, args.workers), stage_dir, Path(args.site).resolve())
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(cfg)], check=True, cwd=ROOT, env=env)
    print(f"documentation site written to {args.site}/index.html")

if __name__ == "__main__":
    main()
