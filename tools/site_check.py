"""Read the built documentation site as a reader would: a crawler over a local server, then headless Chromium.

The crawler (standard library only) follows every internal link, image, script and style sheet from Home and the
pages in the navigation, and reports broken links and anchors, empty `src`, empty pages, notebook pages without
outputs and files a site should not ship. The browser part (Selenium driving Debian's `chromium` and
`chromium-driver`) opens a few pages at a laptop's window size, waits for MathJax, measures tables, code, figures
and the page width, and saves a screenshot of each page's first screen and of the whole page.
Usage: python tools/site_check.py [SITE] [--screenshots DIR] [--pages index.html 03_distill.html ...]
"""
from __future__ import annotations
import argparse, base64, functools, http.server, json, os, re, shutil, threading, urllib.error, urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

SHIPPED_NOT = (".pt", ".hdf5", ".h5", ".gz", ".npz", ".npy", ".pkl", ".zip", ".ckpt")  # data and weights stay out
MAX_FILE_BYTES = 5_000_000
BROWSER_PAGES = ("index.html", "03_distill.html", "results/pipeline-quick/report.html")

@contextmanager
def serve(site: Path):
    "Serve `site` on a free local port; yields the base URL."
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try: yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

class _PageParser(HTMLParser):
    "Links, sources, ids, navigation entries, notebook outputs and the article's text of one HTML page."
    def __init__(self):
        super().__init__()
        self.links, self.sources, self.ids, self.nav, self.empty_src = [], [], set(), [], []
        self.outputs, self.article_text, self._article_depth, self._depth = 0, [], None, 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._depth += 1
        if "id" in a: self.ids.add(a["id"])
        if tag == "a" and "name" in a: self.ids.add(a["name"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if "md-nav__link" in (a.get("class") or ""): self.nav.append(a["href"])
        for attr in ("src", "data-src"):
            if attr in a:
                if not (a[attr] or "").strip(): self.empty_src.append(tag)
                else: self.sources.append(a[attr])
        if tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon"): self.sources.append(a["href"])
        if "nb-output" in (a.get("class") or "").split(): self.outputs += 1
        if tag == "article" and self._article_depth is None: self._article_depth = self._depth
        if tag in ("img", "input", "br", "hr", "meta", "link", "source", "col", "area", "wbr"): self._depth -= 1
    def handle_endtag(self, tag):
        if tag == "article" and self._article_depth == self._depth: self._article_depth = -1
        self._depth -= 1
    def handle_data(self, data):
        if self._article_depth not in (None, -1): self.article_text.append(data)

@dataclass
class CrawlReport:
    pages: int = 0
    nav_pages: int = 0
    links: int = 0
    anchors: int = 0
    resources: int = 0
    notebook_outputs: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    def summary(self) -> str:
        return (f"{self.pages} pages ({self.nav_pages} in the navigation), {self.links} internal links, "
                f"{self.anchors} anchors, {self.resources} images/scripts/styles; "
                f"{sum(self.notebook_outputs.values())} notebook outputs on {len(self.notebook_outputs)} notebook pages; "
                f"{len(self.problems)} problems")

def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r: return r.status, r.read()
    except urllib.error.HTTPError as e: return e.code, b""

def crawl(site: Path, notebook_pages: list[str] | None = None) -> CrawlReport:
    "Crawl `site` from Home through every internal link; `notebook_pages` must each show a rendered output."
    report, parsed, status = CrawlReport(), {}, {}
    with serve(site) as base:
        def get(url):
            if url not in status:
                code, body = _fetch(url)
                status[url] = code
                if code == 200 and url.endswith(".html"):
                    p = _PageParser()
                    p.feed(body.decode("utf-8", "replace"))
                    parsed[url] = p
            return status[url]
        todo, seen, anchors = [urljoin(base, "index.html")], set(), []
        while todo:
            page = todo.pop()
            if page in seen: continue
            seen.add(page)
            if get(page) != 200 or page not in parsed:
                continue
            p, where = parsed[page], page[len(base):]
            for tag in p.empty_src: report.problems.append(f"{where}: <{tag}> with an empty src")
            for href in p.links:
                url, frag = urldefrag(urljoin(page, href))
                if not url.startswith(base): continue
                report.links += 1
                if get(url) != 200:
                    report.problems.append(f"{where}: broken link {href}")
                    continue
                if frag and url.endswith(".html"): anchors.append((where, href, url, unquote(frag)))
                if url.endswith(".html"): todo.append(url)
            for src in p.sources:
                url = urldefrag(urljoin(page, src))[0]
                if not url.startswith(base): continue
                report.resources += 1
                if get(url) != 200: report.problems.append(f"{where}: missing resource {src}")
        for where, href, url, frag in anchors:
            report.anchors += 1
            if url in parsed and frag not in parsed[url].ids:
                report.problems.append(f"{where}: dead anchor {href}")
        home = parsed.get(urljoin(base, "index.html"))
        nav = {urldefrag(urljoin(base + "index.html", h))[0] for h in (home.nav if home else [])}
        report.nav_pages, report.pages = len(nav), len(parsed)
        for url in sorted(nav):
            if url not in parsed: continue
            text = " ".join("".join(parsed[url].article_text).split())
            if len(text) < 200: report.problems.append(f"{url[len(base):]}: nearly empty page ({len(text)} characters)")
        for name in notebook_pages or []:
            url = urljoin(base, name)
            report.notebook_outputs[name] = parsed[url].outputs if url in parsed else 0
            if not report.notebook_outputs[name]: report.problems.append(f"{name}: notebook page without any output")
        unlinked = sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                          if urljoin(base, str(p.relative_to(site))) not in parsed and p.name != "404.html")
        for name in unlinked: report.problems.append(f"{name}: page that no link reaches")
    for path in site.rglob("*"):
        if not path.is_file(): continue
        if path.name.endswith(SHIPPED_NOT) and path.name != "sitemap.xml.gz":
            report.problems.append(f"{path.relative_to(site)}: data file in the site")
        elif path.stat().st_size > MAX_FILE_BYTES:
            report.problems.append(f"{path.relative_to(site)}: {path.stat().st_size / 1e6:.1f} MB file in the site")
    return report

# --- the browser part ---------------------------------------------------------------------------------------------

def chromium_paths() -> tuple[str, str] | None:
    "Chromium and its driver (`$CHROMIUM`/`$CHROMEDRIVER`, else on PATH), or None if either is missing."
    browser = shutil.which(os.environ.get("CHROMIUM", "")) or next(
        (p for n in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(n))), None)
    driver = shutil.which(os.environ.get("CHROMEDRIVER", "")) or shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None

_MEASURE = r"""
const article = document.querySelector('article') || document.body;
const contentWidth = article.getBoundingClientRect().width;
const articleBox = article.getBoundingClientRect();
const scroller = el => { for (let e = el; e && e !== article; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1) return e; }
  return null; };
const tables = [...article.querySelectorAll('table')].map(t => {
  const r = t.getBoundingClientRect(), s = scroller(t);
  const inside = r.left >= articleBox.left - 1 && r.right <= articleBox.right + 1;
  const overflows = t.scrollWidth > t.clientWidth + 1 || !inside || s !== null;
  return {width: t.scrollWidth, room: Math.round(contentWidth),
          shown: s ? Math.round(100 * s.clientWidth / s.scrollWidth) : 100,
          verdict: !overflows ? 'fits' : (s && inside ? 'scrolls' : 'cut')}; });
const codes = [...article.querySelectorAll('pre > code')];
const images = [...article.querySelectorAll('img')].filter(i => i.naturalWidth > 0 && !i.closest('.nb-links')).map(i => ({
  src: i.getAttribute('src'), natural: i.naturalWidth, shown: Math.round(i.getBoundingClientRect().width),
  clickable: !!i.closest('a')}));
const text = article.innerText;
return {title: document.title, pageWidth: document.documentElement.scrollWidth, window: window.innerWidth,
        height: document.documentElement.scrollHeight, contentWidth: Math.round(contentWidth), tables: tables,
        codeBlocks: codes.length, codeScrolled: codes.filter(c => c.scrollWidth > c.clientWidth + 1).length,
        images: images, brokenImages: [...article.querySelectorAll('img')].filter(i => i.complete && !i.naturalWidth).length,
        equations: article.querySelectorAll('mjx-container').length,
        rawTex: (text.match(/\$\$|\\\(|\\\[|\$[^$\s][^$\n]*\\[a-zA-Z]+[^$\n]*\$/g) || []).length};
"""

_SETTLED = """
const images = [...document.querySelectorAll('article img')];
const typeset = !document.querySelector('.arithmatex') ||
  document.querySelectorAll('.arithmatex mjx-container').length >= document.querySelectorAll('.arithmatex').length;
return images.every(i => i.complete) && typeset;
"""

def _verdict(m: dict) -> list[str]:
    "What a reader would dislike on one measured page."
    bad = []
    if m["pageWidth"] > m["window"] + 1: bad.append(f"page is {m['pageWidth']} px wide in a {m['window']} px window")
    bad += [f"table of {t['width']} px cut in {t['room']} px" for t in m["tables"] if t["verdict"] == "cut"]
    bad += [f"figure {i['src']} shown at {i['shown']}/{i['natural']} px and not clickable" for i in m["images"]
            if i["shown"] < 0.5 * min(i["natural"], m["contentWidth"]) and not i["clickable"]]
    if m["brokenImages"]: bad.append(f"{m['brokenImages']} images do not load")
    if m["rawTex"]: bad.append(f"{m['rawTex']} unrendered TeX fragments")
    return bad

def browse(site: Path, pages=BROWSER_PAGES, screenshots: Path | None = None, width: int = 1280,
           height: int = 900, max_height: int = 16000) -> dict:
    "Open `pages` in headless Chromium; return each page's measurements and verdict; save screenshots."
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    import tempfile, time
    browser, driver_path = chromium_paths()
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    profile = tempfile.mkdtemp(prefix="ddrl-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}",
                 f"--window-size={width},{height}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    results = {}
    if screenshots: screenshots.mkdir(parents=True, exist_ok=True)
    with serve(site) as base:
        driver = webdriver.Chrome(options=opts, service=Service(driver_path))
        try:
            driver.set_page_load_timeout(60)
            for page in pages:
                driver.set_window_size(width, height)
                driver.get(urljoin(base, page))
                driver.execute_script("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
                full = min(driver.execute_script("return document.documentElement.scrollHeight"), max_height)
                driver.set_window_size(width, full)   # the whole page on screen: lazy figures load
                deadline = time.time() + 30
                while time.time() < deadline and not driver.execute_script(_SETTLED):
                    time.sleep(0.25)
                time.sleep(0.5)
                m = driver.execute_script(_MEASURE)
                m["window"] = width
                m["console_errors"] = [e["message"] for e in driver.get_log("browser")]
                m["problems"] = _verdict(m) + [f"console: {e}" for e in m["console_errors"]]
                if screenshots:
                    stem = re.sub(r"[^A-Za-z0-9]+", "_", page.removesuffix(".html")).strip("_")
                    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                        "clip": {"x": 0, "y": 0, "width": width, "height": min(m["height"], max_height), "scale": 1}})
                    (screenshots / f"{stem}_full.png").write_bytes(base64.b64decode(shot["data"]))
                    driver.set_window_size(width, height)
                    driver.execute_script("window.scrollTo(0, 0)")
                    time.sleep(0.3)
                    driver.save_screenshot(str(screenshots / f"{stem}.png"))
                    m["screenshots"] = [str(screenshots / f"{stem}.png"), str(screenshots / f"{stem}_full.png")]
                results[page] = m
        finally:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)
    return results

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("site", nargs="?", default="site", help="the built site (default: site/)")
    p.add_argument("--screenshots", default=None, help="folder for the PNG screenshots")
    p.add_argument("--pages", nargs="*", default=list(BROWSER_PAGES), help="pages to open in the browser")
    p.add_argument("--width", type=int, default=1280, help="browser window width in px")
    args = p.parse_args()
    site = Path(args.site)
    notebooks = [f"{p.stem}.html" for p in sorted(Path(__file__).resolve().parents[1].glob("nbs/[0-9]*.ipynb"))]
    report = crawl(site, notebooks)
    print("crawler:", report.summary())
    for problem in report.problems: print("  -", problem)
    if chromium_paths() is None:
        print("browser: skipped (no chromium/chromedriver; `apt-get install chromium chromium-driver`)")
        return
    shots = Path(args.screenshots) if args.screenshots else None
    for page, m in browse(site, args.pages, shots, width=args.width).items():
        tables = {v: sum(t["verdict"] == v for t in m["tables"]) for v in ("fits", "scrolls", "cut")}
        print(f"browser: {page}: {m['height']} px tall, {len(m['tables'])} tables {tables}, "
              f"{m['codeScrolled']}/{m['codeBlocks']} code blocks scroll, {len(m['images'])} figures, "
              f"{m['equations']} equations -> {'OK' if not m['problems'] else 'PROBLEMS'}")
        for problem in m["problems"]: print("  -", problem)
        if args.screenshots: print("  screenshots:", *m.get("screenshots", []))

if __name__ == "__main__":
    main()
