"""The documentation site, built as `make docs` builds it, read by a crawler and (where Chromium is installed) a browser.

The crawler part always runs. The browser part needs Debian's `chromium` and `chromium-driver` (or `$CHROMIUM` and
`$CHROMEDRIVER`); without them it is skipped with a message. CI machines without them still run everything else.
"""
import importlib, re, subprocess, sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_docs, site_check

NOTEBOOKS = sorted(ROOT.glob("nbs/[0-9]*.ipynb"))
RESULT_PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "results").rglob("*.md"))

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    "The site, built from the notebooks (executed, or taken from _docs_cache/ when nothing changed)."
    tmp = tmp_path_factory.mktemp("docs")
    r = subprocess.run([sys.executable, "tools/build_docs.py", "--site", str(tmp / "site"), "--stage", str(tmp / "stage"),
                        "--no-readme"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    return tmp / "site"

def page(site, name): return (site / name).read_text()
def text(html): return unescape(re.sub(r"<[^>]+>", "", html))

def test_crawler_finds_no_broken_link_empty_page_or_data_file(site):
    report = site_check.crawl(site, [f"{p.stem}.html" for p in NOTEBOOKS])
    print("crawler:", report.summary())
    assert not report.problems, "\n".join(report.problems)
    assert report.nav_pages >= len(NOTEBOOKS) + len(RESULT_PAGES) and report.anchors > 100
    assert all(n > 0 for n in report.notebook_outputs.values()), report.notebook_outputs

class _Nav(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "md-nav__link" in (a.get("class") or "") and a.get("href"): self.links.append(a["href"])

def test_home_first_then_notebooks_in_order_then_results(site):
    nav = _Nav()
    nav.feed(page(site, "index.html"))
    pages = list(dict.fromkeys(h.split("#")[0] for h in nav.links if not h.startswith("#")))
    assert pages[0] == "index.html", pages[:3]
    order = [pages.index(f"{p.stem}.html") for p in NOTEBOOKS]
    assert order == sorted(order), pages
    for rel in RESULT_PAGES:   # every results page is in the navigation, under its own name
        assert rel.replace(".md", ".html").replace("README.html", "index.html") in pages, rel

def test_results_pages_show_the_results_not_a_script(site):
    for rel in RESULT_PAGES:   # the page shows the file's first words (a script rendered to the same name would not)
        html = page(site, rel.replace(".md", ".html").replace("README.html", "index.html"))
        shown = " ".join(re.findall(r"[\w.%+-]+", text(html)))
        first = next(l for l in (ROOT / rel).read_text().splitlines() if len(re.findall(r"[A-Za-z]{2,}", l)) >= 2)
        words = re.findall(r"[\w.%+-]+", re.sub(r"\]\([^)]*\)|[`*#|\[]", " ", first))[:4]
        assert " ".join(words) in shown, (rel, words)
    assert not list(site.rglob("*.py")) and not list(site.rglob("*.pt")) and not list(site.rglob("*.hdf5"))
    overview = page(site, "results/index.html")
    for rel in RESULT_PAGES: assert Path(rel).name.replace(".md", ".html").replace("README", "index") in overview, rel

def test_notebook_pages_read_like_nbdev(site):
    data = page(site, "00_data.html")
    for anchor in ("collect", "OfflineDataset", "OfflineDataset.from_arrays", "load_dataset", "PROCGEN_GAMES"):
        assert f'id="{anchor}"' in data, anchor
    assert "whole episodes to keep" in data                       # a docments parameter in the table
    assert "class OfflineDataset(" in text(data) and "def OfflineDataset" not in text(data)
    assert "classmethod" in data and "property" in data
    assert "&lt;factory&gt;" not in page(site, "06_pipeline.html") and 'id="PRESETS"' in page(site, "06_pipeline.html")
    for nb in NOTEBOOKS:
        html = page(site, f"{nb.stem}.html")
        module = importlib.import_module("ddrl." + re.search(r"#\| default_exp (\w+)", nb.read_text()).group(1))
        missing = [n for n in module.__all__ if f'id="{n}"' not in html]   # every exported name has its entry
        assert not missing, (nb.name, missing)
        assert "#LNone" not in html and "Docs: https://" not in html, nb.name
        assert f'href="notebooks/{nb.name}"' in html and (site / "notebooks" / nb.name).exists(), nb.name
        assert "def _" not in html, nb.name                        # exported source is not shown
    assert 'href="00_data.html#OfflineDataset.from_arrays"' in page(site, "index.html")   # backticks link
    distill = page(site, "03_distill.html")
    assert distill.count('class="arithmatex"') >= 5 and "assets/mathjax/tex-svg.js" in distill
    assert "Warning" not in text(distill.split('class="nb-output', 1)[-1])

def test_browser_screenshots_fit_the_window(site, tmp_path):
    if site_check.chromium_paths() is None:
        pytest.skip("no chromium/chromedriver here: the browser check is skipped (apt-get install chromium chromium-driver)")
    pages = site_check.browse(site, site_check.BROWSER_PAGES, screenshots=tmp_path)
    for name, m in pages.items():
        tables = {v: sum(t["verdict"] == v for t in m["tables"]) for v in ("fits", "scrolls", "cut")}
        print(f"browser: {name}: {m['height']} px, tables {tables}, {len(m['images'])} figures, {m['equations']} equations")
        assert not m["problems"], (name, m["problems"])
        assert m["pageWidth"] <= m["window"] + 1 and tables["cut"] == 0, name
        for shot in m["screenshots"]: assert Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pages["03_distill.html"]["equations"] >= 5 and pages["03_distill.html"]["rawTex"] == 0
    assert pages["results/pipeline-quick/report.html"]["images"], "the report's figures load"

def test_readme_is_generated_from_the_home_notebook():
    assert (ROOT / "README.md").read_text() == build_docs.readme_text(), "README.md is stale: run `make readme`"
