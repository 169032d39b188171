"""Build the documentation site from the notebooks with PyPI tools (mkdocs-material + mkdocs-jupyter).

nbdev's own site builder (`nbdev-docs`) needs Quarto, which cannot be installed from PyPI; it still
works for anyone who has Quarto. This script:
1. writes README.md from nbs/index.ipynb (hidden cells and `#|` directives removed);
2. copies every notebook into _mkdocs/ the way nbdev's docs processing would show it
   (no `#| hide` cells, no directive lines, saved outputs kept);
3. writes one API page per exported module from the exported code, with nbdev's `show_doc`
   (signatures with documented parameters, docstrings);
4. runs `mkdocs build` into site/.
Usage: python tools/build_docs.py [--readme-only] [--site DIR]
"""
from __future__ import annotations
import argparse, copy, importlib, inspect, json, os, re, shutil, subprocess, sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NBS, STAGE = ROOT / "nbs", ROOT / "_mkdocs"
DIRECTIVE = re.compile(r"^\s*#\|.*$\n?", re.M)

def is_hidden(cell) -> bool:
    return cell.cell_type == "code" and re.search(r"^\s*#\|\s*hide\b", cell.source, re.M) is not None

def clean_nb(nb):
    "Drop hidden cells and directive lines, as nbdev's docs processing does."
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not is_hidden(c)]
    for c in nb.cells:
        if c.cell_type == "code": c.source = DIRECTIVE.sub("", c.source).strip("\n")
    nb.cells = [c for c in nb.cells if c.source.strip() or c.get("outputs")]
    return nb

def write_readme():
    from nbconvert import MarkdownExporter
    nb = clean_nb(nbformat.read(NBS / "index.ipynb", as_version=4))
    body, _ = MarkdownExporter().from_notebook_node(nb)
    note = "<!-- generated from nbs/index.ipynb by `make docs`; edit the notebook, not this file -->\n\n"
    (ROOT / "README.md").write_text(note + body.strip() + "\n")

def exported_modules() -> list[str]:
    idx = json.loads(json.dumps(importlib.import_module("ddrl._modidx").d))
    return sorted({m.split(".", 1)[1] for m in idx["syms"]} - {""})

def api_markdown(mod_name: str) -> str:
    from nbdev.showdoc import show_doc
    mod = importlib.import_module(f"ddrl.{mod_name}")
    parts = [f"# `ddrl.{mod_name}`\n", (mod.__doc__ or "").strip(), ""]
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)): continue
        parts.append(show_doc(obj, name=name)._repr_markdown_())
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)): continue
                target = member.fget if isinstance(member, property) else member
                if target.__doc__: parts.append(show_doc(target, name=f"{name}.{attr}")._repr_markdown_())
    text = "\n\n".join(parts)
    text = re.sub(r"\{target=[^}]*\}", "", text)           # Quarto-only link attributes
    return text.replace("### ", "## ")

def stage():
    if STAGE.exists(): shutil.rmtree(STAGE)
    (STAGE / "api").mkdir(parents=True)
    nav = []
    for path in sorted(NBS.glob("*.ipynb")):
        nb = clean_nb(nbformat.read(path, as_version=4))
        nbformat.write(nb, STAGE / path.name)
        title = next((l.lstrip("# ").strip() for c in nb.cells if c.cell_type == "markdown"
                      for l in c.source.splitlines() if l.startswith("# ")), path.stem)
        nav.append({("Home" if path.stem == "index" else title): path.name})
    api = []
    for mod in exported_modules():
        (STAGE / "api" / f"{mod}.md").write_text(api_markdown(mod))
        api.append({f"ddrl.{mod}": f"api/{mod}.md"})
    results = ROOT / "results"
    if results.exists():
        shutil.copytree(results, STAGE / "results")
        pages = sorted((STAGE / "results").rglob("*.md"), key=lambda p: (not p.parent.name.startswith("pipeline"), str(p)))
        def title(p):
            first = next((l[2:].strip() for l in p.read_text().splitlines() if l.startswith("# ")), p.stem)
            return f"{first} ({p.parent.name})" if p.parent.name.startswith("pipeline") else first
        if pages: nav.append({"Results": [{title(p): str(p.relative_to(STAGE))} for p in pages]})
    nav.append({"API reference": api})
    return nav

def mkdocs_config(nav, site: Path) -> Path:
    import yaml
    cfg = dict(site_name="ddrl", site_description="Dataset distillation for reinforcement learning",
               docs_dir=str(STAGE), site_dir=str(site), use_directory_urls=False,
               theme=dict(name="material", features=["navigation.sections", "content.code.copy"]),
               markdown_extensions=["tables", "admonition", "pymdownx.superfences", "attr_list",
                                    dict(toc=dict(permalink=True))],
               plugins=["search", {"mkdocs-jupyter": dict(include_source=True, execute=False, ignore_h1_titles=False)}],
               nav=nav)
    path = ROOT / "_mkdocs.yml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--readme-only", action="store_true", help="only regenerate README.md")
    p.add_argument("--site", default=str(ROOT / "site"), help="output folder (default: site/)")
    args = p.parse_args()
    write_readme()
    if args.readme_only: return
    cfg = mkdocs_config(stage(), Path(args.site))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(cfg)], check=True, cwd=ROOT, env=env)
    print(f"documentation site written to {args.site}/index.html")

if __name__ == "__main__":
    main()
