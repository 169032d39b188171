"""The pages of the documentation site: notebooks as nbdev shows them, API entries, results, and the links between.

A notebook page is its prose and examples with their outputs; each exported definition appears as its entry
(signature, docstring, parameter table from the docments, source link with line numbers) in place of its source, as
nbdev's `show_doc` shows it. Backticked names of exported symbols, notebooks, modules and repository files become
links; relative links are resolved against the source file and pointed at the site's page or at the repository.
Used by tools/build_docs.py.
"""
from __future__ import annotations
import ast, base64, dataclasses, html, importlib, inspect, posixpath, pprint, re, subprocess, sys, tomllib
from dataclasses import dataclass, field
from pathlib import Path
from fastcore.nbio import read_nb

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
DIRECTIVE_LINE = re.compile(r"^\s*#\|")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
LINK_TARGET = re.compile(r"\]\(\s*([^)\s]+)((?:\s+\"[^\"]*\")?)\s*\)")
HTML_TARGET = re.compile(r"""\b(src|href)=(["'])([^"']+)\2""")
FENCE = re.compile(r"^(\s*)(```+|~~~+).*?^\1\2\s*$", re.M | re.S)
PY_WARNING = re.compile(r"^\S.*?:\d+: \w*Warning: ")   # `file:line: XWarning: message`, then the source line
CPP_WARNING = re.compile(r"^\[W\d+ ")                     # torch's C++ warnings: one line each
PROGRESS_LINE = re.compile(r"\d+%\|.*\|\s*\d|\d+(\.\d+)?\s*(it|s)/(s|it)\]")
TEMP_PATH = re.compile(r"(/private)?(/tmp|/var/folders/[\w/]+?)/tmp[\w-]+")
MARKDOWN_TABLE = re.compile(r"\|.*\|\n\|\s*:?-{3,}.*\|(\n\|.*\|)*(\n\n\|.*\|\n\|\s*:?-{3,}.*\|(\n\|.*\|)*)*")
SIGNATURE_WIDTH = 96

def is_hidden(cell) -> bool:
    return cell.cell_type == "code" and ("hide" in cell.directives or cell.directives.get("include") == "false")

def strip_directives(source: str) -> str:
    "`source` without its leading `#|` directive lines."
    lines = source.splitlines()
    while lines and DIRECTIVE_LINE.match(lines[0]): lines.pop(0)
    return "\n".join(lines).strip("\n")

def repo_url(root: Path) -> str:
    "The repository's web address, from pyproject.toml's [project.urls]."
    urls = tomllib.loads((root / "pyproject.toml").read_text())["project"].get("urls", {})
    return (urls.get("Repository") or urls.get("Homepage") or "").rstrip("/")

def fenced(lang: str, text: str, title: str = "") -> str:
    "A fenced code block that survives backticks in `text`."
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f'{fence}{lang}{f" title={chr(34)}{title}{chr(34)}" if title else ""}\n{text}\n{fence}'

def as_text(value) -> str: return "".join(value) if isinstance(value, list) else (value or "")

def clean_stream(text: str, stderr: bool) -> str:
    "Terminal text as a reader should see it: colours removed, progress bars settled; on stderr no warnings."
    text = TEMP_PATH.sub("$TMPDIR", ANSI.sub("", as_text(text)))   # a temporary folder means nothing to a reader
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
    if stderr:   # a warning is its header line, message lines, then the indented source line that raised it
        keep, in_warning = [], False
        for line in lines:
            if PY_WARNING.search(line): in_warning = True
            elif in_warning and line.startswith((" ", "\t")): in_warning = False
            elif not in_warning and not PROGRESS_LINE.search(line) and not CPP_WARNING.search(line): keep.append(line)
        lines = keep
    return "\n".join(lines).strip("\n")

def image_size(data: bytes) -> tuple[int, int] | None:
    "Width and height of a PNG."
    return tuple(int.from_bytes(data[i:i + 4], "big") for i in (16, 20)) if data[:8] == b"\x89PNG\r\n\x1a\n" else None

# --- API entries ------------------------------------------------------------------------------------------------

@dataclass
class Symbol:
    name: str      # as written in the docs: `collect`, `OfflineDataset.from_arrays`
    obj: object    # the function, class or value (for members: the underlying function)
    kind: str      # function, class, method, classmethod, staticmethod, property or constant
    module: str    # ddrl.data
    page: str      # the site page with its entry
    level: int = 3

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.obj) if self.kind != "constant" else ""
        return (doc or "").strip().split("\n\n")[0].replace("\n", " ")

def defined_names(source: str) -> list[str]:
    "Top-level names that a cell defines, in order."
    try: tree = ast.parse(source)
    except SyntaxError: return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): names.append(node.name)
        elif isinstance(node, ast.Assign): names += [n for t in node.targets for n in _target_names(t)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name): names.append(node.target.id)
    return names

def _target_names(target) -> list[str]:
    "The names an assignment target binds: `A` or `A, B` (not `d[k]` or `obj.attr`)."
    if isinstance(target, ast.Name): return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)): return [n for e in target.elts for n in _target_names(e)]
    return []

def same_statement(symbols: list) -> list[list]:
    "`symbols` in groups: constants assigned by one statement (`A, B = 1, 2`) share one entry."
    groups = []
    for s in symbols:
        prev = groups[-1][0] if groups else None
        if prev and s.kind == prev.kind == "constant" and source_lines(s) == source_lines(prev): groups[-1].append(s)
        else: groups.append([s])
    return groups

def class_members(cls) -> list[tuple[str, object, str]]:
    "Public methods, class/static methods and properties defined in `cls` itself, in source order."
    found = []
    for name, member in vars(cls).items():
        if name.startswith("_"): continue
        if isinstance(member, classmethod): found.append((name, member.__func__, "classmethod"))
        elif isinstance(member, staticmethod): found.append((name, member.__func__, "staticmethod"))
        elif isinstance(member, property) and member.fget: found.append((name, member.fget, "property"))
        elif inspect.isfunction(member): found.append((name, member, "method"))
    return found

def annotation_text(annotation) -> str:
    if annotation is inspect.Parameter.empty: return ""
    if isinstance(annotation, str): return annotation
    if isinstance(annotation, type): return annotation.__qualname__
    return re.sub(r"\btyping\.", "", str(annotation))

def default_value(obj, param: inspect.Parameter):
    "The default of `param`, with a dataclass field's `default_factory` called (instead of `<factory>`)."
    if dataclasses.is_dataclass(obj) and repr(param.default) == "<factory>":
        fld = next(f for f in dataclasses.fields(obj) if f.name == param.name)
        return fld.default_factory()
    return param.default

def default_text(value) -> str:
    if inspect.isfunction(value) or inspect.isclass(value): return value.__qualname__
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

def signature_parts(sym: Symbol, with_types: bool) -> tuple[list[str], str]:
    "The parameters as written in a call (self/cls dropped), and the return annotation."
    try: sig = inspect.signature(sym.obj)
    except (TypeError, ValueError): return [], ""
    params, parts, star_done = list(sig.parameters.values()), [], False
    if sym.kind in ("method", "classmethod", "property") and params: params = params[1:]
    for i, p in enumerate(params):
        if p.kind == p.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        text = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name
        star_done |= p.kind == p.VAR_POSITIONAL
        anno = annotation_text(p.annotation) if with_types else ""
        if anno: text += f": {anno}"
        if p.default is not p.empty: text += (" = " if anno else "=") + default_text(default_value(sym.obj, p))
        parts.append(text)
        last_positional = i + 1 == len(params) or params[i + 1].kind != p.POSITIONAL_ONLY
        if p.kind == p.POSITIONAL_ONLY and last_positional: parts.append("/")
    returns = "" if sym.kind == "class" else annotation_text(sig.return_annotation)
    return parts, returns

def signature_block(sym: Symbol, with_types: bool) -> str:
    "The signature as Python, one parameter per line when it is long."
    if sym.kind == "constant":   # as written in the source (a repr would show addresses and class paths)
        src = source_lines(sym)
        if src:
            lines = Path(inspect.getsourcefile(sys.modules[sym.module])).read_text().splitlines()[src[1] - 1:src[2]]
        else: lines = f"{sym.name} = {pprint.pformat(sym.obj, width=SIGNATURE_WIDTH, compact=True)}".splitlines()
        return fenced("python", "\n".join(lines[:30] + (["..."] if len(lines) > 30 else [])))
    if sym.kind == "class" and getattr(sym.obj, "_is_protocol", False):   # a Protocol is its members: show them
        source = inspect.getsource(sym.obj)
        doc = ast.get_docstring(ast.parse(source).body[0], clean=False)
        return fenced("python", "\n".join(l for l in source.splitlines() if not (doc and l.strip().strip("\"'") == doc)))
    parts, returns = signature_parts(sym, with_types)
    prefix = {"class": "class ", "property": "@property\n", "classmethod": "@classmethod\n",
              "staticmethod": "@staticmethod\n"}.get(sym.kind, "")
    head = sym.name if sym.kind != "class" else sym.name.split(".")[-1]
    if sym.kind == "property": return fenced("python", f"{head}" + (f": {returns}" if returns else ""))
    tail = f" -> {returns}" if returns else ""
    one_line = f"{prefix}{head}({', '.join(parts)}){tail}"
    if len(one_line.splitlines()[-1]) <= SIGNATURE_WIDTH: return fenced("python", one_line)
    if not with_types:   # names and defaults only (the table has the rest): packed, aligned after the parenthesis
        opening = f"{prefix}{head}("
        indent, lines = " " * len(opening.splitlines()[-1]), [opening]
        for k, p in enumerate(parts):
            piece = p + (", " if k + 1 < len(parts) else ")")
            if len(lines[-1].splitlines()[-1]) + len(piece.rstrip()) > SIGNATURE_WIDTH: lines.append(indent)
            lines[-1] += piece
        return fenced("python", "\n".join(l.rstrip() for l in lines) + tail)
    body = "".join(f"    {p},\n" for p in parts)
    return fenced("python", f"{prefix}{head}(\n{body}){tail}")

def parameter_rows(sym: Symbol) -> list[tuple[str, str, str, str]]:
    "(name, type, default, details) per documented parameter and the return value, from the docments."
    from fastcore.docments import docments
    if sym.kind in ("constant", "property"): return []
    try:
        docs = docments(sym.obj, full=True)
        sig = inspect.signature(sym.obj)
    except (TypeError, ValueError, OSError): return []
    rows = []
    for name, p in sig.parameters.items():
        if name in ("self", "cls") and sym.kind != "function": continue
        doc = (docs.get(name) or {}).get("docment") or ""
        default = "" if p.default is p.empty else default_text(default_value(sym.obj, p))
        rows.append(({p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + name, annotation_text(p.annotation),
                     default, doc))
    ret = (docs.get("return") or {}).get("docment")
    if ret: rows.append(("**returns**", annotation_text(sig.return_annotation), "", ret))
    return rows if any(r[3] for r in rows) else []

def source_lines(sym: Symbol) -> tuple[str, int, int] | None:
    "The exported file and line range that define `sym`."
    try:
        module = sys.modules[sym.module]
        path = Path(inspect.getsourcefile(module))
        if sym.kind == "constant":
            for node in ast.parse(path.read_text()).body:
                if sym.name in defined_names(ast.unparse(node)): return path.name, node.lineno, node.end_lineno
            return None
        obj = inspect.unwrap(sym.obj)
        lines, start = inspect.getsourcelines(obj)
        return Path(inspect.getsourcefile(obj)).name, start, start + len(lines) - 1
    except (TypeError, OSError, KeyError): return None

# --- the site ---------------------------------------------------------------------------------------------------

@dataclass
class Page:
    name: str
    title: str
    markdown: str
    files: dict = field(default_factory=dict)   # figures: site path -> bytes

class Site:
    "Every page of the site and what backticked names and relative links point at."
    def __init__(self, root: Path, notebooks: list[Path], staged: list[str]):
        self.root, self.repo = root, repo_url(root)
        self.staged = set(staged)
        self.pages = {f"nbs/{p.name}": f"{p.stem}.md" for p in notebooks} | {"README.md": "index.md"}
        self.pages |= {rel: rel for rel in staged if rel.endswith(".md")}
        self.tracked = self._tracked_files()
        self.symbols: dict[str, Symbol] = {}
        self.by_page: dict[str, list[Symbol]] = {}
        self.links: dict[str, tuple[str, str]] = {}   # name -> (page, anchor)
        self.titles: dict[str, str] = {}
        if str(root) not in sys.path: sys.path.insert(0, str(root))
        for path in notebooks: self._index(path)

    def _tracked_files(self) -> set[str]:
        r = subprocess.run(["git", "ls-files"], cwd=self.root, capture_output=True, text=True)
        files = set(r.stdout.split("\n")) if r.returncode == 0 else set()
        return files | {str(Path(f).parent) for f in files} | {str(p) for f in files for p in Path(f).parents}

    def _index(self, path: Path):
        "Register the notebook, its module and every exported symbol with the page and anchor of its entry."
        nb, page = read_nb(path), self.pages[f"nbs/{path.name}"]
        self.links[path.stem] = (page, "")
        self.titles[page] = next((m.group(1).replace("`", "").strip() for c in nb.cells if c.cell_type == "markdown"
                                  for m in [re.search(r"^#\s+(.+)$", c.source, re.M)] if m), path.stem)
        default = next((c.directives["default_exp"] for c in nb.cells if "default_exp" in c.directives), None)
        if default:
            self.links[f"ddrl.{default}"] = self.links[f"ddrl/{default}.py"] = (page, "")
        for cell in nb.cells:
            if cell.cell_type != "code" or is_hidden(cell) or not ({"export", "exports"} & cell.directives.keys()): continue
            module = f"ddrl.{cell.directives.get('export') or cell.directives.get('exports') or default}"
            for sym in self.cell_symbols(cell.source, module, page):
                self.symbols[sym.name] = sym
                self.by_page.setdefault(page, []).append(sym)
                self.links.setdefault(sym.name, (page, sym.name))
                self.links.setdefault(f"{module}.{sym.name}", (page, sym.name))

    def cell_symbols(self, source: str, module_name: str, page: str) -> list[Symbol]:
        "The public symbols an exported cell defines, each class followed by its members."
        module = importlib.import_module(module_name)
        public = set(getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]))
        found = []
        for name in defined_names(source):
            if name not in public or not hasattr(module, name): continue
            obj = getattr(module, name)
            kind = ("class" if inspect.isclass(obj) else "function" if callable(obj) and inspect.isroutine(obj)
                    else "constant")
            found.append(Symbol(name, obj, kind, module_name, page))
            if kind == "class":
                found += [Symbol(f"{name}.{m}", f, k, module_name, page, level=4) for m, f, k in class_members(obj)]
        return found

    # --- links ---

    def relative(self, target_page: str, from_page: str, anchor: str = "") -> str:
        path = "" if target_page == from_page else posixpath.relpath(target_page, posixpath.dirname(from_page) or ".")
        return path + (f"#{anchor}" if anchor else "")

    def repo_link(self, repo_path: str, from_page: str) -> str | None:
        "Where a link to a repository path goes: its page or copy in the site, else the repository."
        repo_path = posixpath.normpath(repo_path).rstrip("/")
        if repo_path in self.pages: return self.relative(self.pages[repo_path], from_page)
        if repo_path in self.staged: return self.relative(repo_path, from_page)
        for index in ("README.md", "index.md"):
            if f"{repo_path}/{index}" in self.pages: return self.relative(self.pages[f"{repo_path}/{index}"], from_page)
        if repo_path in self.tracked and self.repo:
            kind = "tree" if (self.root / repo_path).is_dir() else "blob"
            return f"{self.repo}/{kind}/main/{repo_path}"
        return None

    def resolve_link(self, target: str, src_dir: str, from_page: str) -> str:
        "A relative link written in a file under `src_dir` (repository-relative), as seen from `from_page`."
        if re.match(r"^([a-z][\w+.-]*:|#|/)", target): return target
        path, _, anchor = target.partition("#")
        for base in (src_dir, ""):   # relative to the file, else to the repository root (README-style links)
            repo_path = posixpath.normpath(posixpath.join(base, path))
            if repo_path.startswith(".."): continue
            link = self.repo_link(repo_path, from_page)
            if link is not None: return link + (f"#{anchor}" if anchor else "")
        return target

    def code_link(self, code: str, from_page: str) -> str | None:
        "Where a backticked name points: an exported symbol's entry, a notebook, a module or a repository file."
        name = code.strip()
        call = re.fullmatch(r"([\w.]+)\(.*\)", name, re.S) or re.fullmatch(r"(?:python )?([\w./-]+\.py)(?: .*)?", name, re.S)
        if call: name = call.group(1)
        if name not in self.links and name.removeprefix("ddrl.") in self.symbols: name = name.removeprefix("ddrl.")
        if name in self.links:
            page, anchor = self.links[name]
            return self.relative(page, from_page, anchor) or "#"
        if re.fullmatch(r"[\w.\-]+(/[\w.\-]+)*/?", name) and ("/" in name or "." in name):
            return self.repo_link(name, from_page)
        return None

    def markdown(self, text: str, src_dir: str, page: str) -> str:
        "Markdown with relative links resolved and backticked names linked (code blocks left alone)."
        out, last = [], 0
        for m in FENCE.finditer(text):
            out += [self._prose(text[last:m.start()], src_dir, page), m.group(0)]
            last = m.end()
        return "".join(out + [self._prose(text[last:], src_dir, page)])

    def _prose(self, text: str, src_dir: str, page: str) -> str:
        pieces, last = [], 0
        for m in CODE_SPAN.finditer(text):
            before, after = text[last:m.start()], text[m.end():]
            pieces.append(self._links(before, src_dir, page))
            inside_link = before.endswith("[") and after.startswith("](")
            target = None if inside_link or "\n" in m.group(2) else self.code_link(m.group(2), page)
            pieces.append(f"[{m.group(0)}]({target})" if target else m.group(0))
            last = m.end()
        return "".join(pieces + [self._links(text[last:], src_dir, page)])

    def _links(self, text: str, src_dir: str, page: str) -> str:
        text = LINK_TARGET.sub(lambda m: f"]({self.resolve_link(m.group(1), src_dir, page)}{m.group(2)})", text)
        def html_link(m): return f"{m.group(1)}={m.group(2)}{self.resolve_link(m.group(3), src_dir, page)}{m.group(2)}"
        return HTML_TARGET.sub(html_link, text)

    # --- API entries ---

    def entry(self, sym: Symbol, also: tuple = ()) -> str:
        "One exported definition as nbdev's `show_doc` shows it, with a parameter table; `also`: names it defines too."
        rows = parameter_rows(sym)
        src = source_lines(sym)
        where = (f'<a class="doc-source" href="{self.repo}/blob/main/ddrl/{src[0]}#L{src[1]}-L{src[2]}" '
                 f'title="ddrl/{src[0]}, lines {src[1]}-{src[2]}">source</a>') if src and self.repo else ""
        badge = "".join(f'<a id="{name}"></a>' for name in also) + f'<span class="doc-kind">{sym.kind}</span>'
        member = " doc-member" if sym.level > 3 else ""
        parts = [f'<div class="doc-entry doc-{sym.kind}{member}" markdown>', "",
                 f'{"#" * sym.level} {", ".join([sym.name, *also])} {{ #{sym.name} .doc-heading }}', "",
                 f'<div class="doc-meta">{badge}{where}</div>', "", signature_block(sym, with_types=not rows)]
        doc = inspect.getdoc(sym.obj) if sym.kind != "constant" else self.constant_comment(sym)
        if doc: parts += ["", self.markdown(doc, "ddrl", sym.page)]
        if rows:
            parts += ["", "| | Type | Default | Details |", "|---|---|---|---|"]
            for name, anno, default, details in rows:
                details = self.markdown(details, "ddrl", sym.page).replace("|", "\\|").replace("\n", " ")
                shown = name if name == "**returns**" else _code(name)
                parts.append(f"| {shown} | {_code(anno)} | {_code(default)} | {details} |")
        return "\n".join(parts + ["", "</div>"])

    def constant_comment(self, sym: Symbol) -> str:
        "The comment on a module constant's line (or the comment lines above it)."
        src = source_lines(sym)
        if not src: return ""
        lines = (Path(inspect.getsourcefile(sys.modules[sym.module])).read_text().splitlines())
        trailing = re.search(r"#\s*(.+)$", lines[src[1] - 1])
        if trailing and "'" not in trailing.group(0) and '"' not in trailing.group(0): return trailing.group(1)
        above = []
        for line in reversed(lines[:src[1] - 1]):
            if not line.startswith("#") or line.startswith("# %%"): break
            above.insert(0, line.lstrip("# "))
        return " ".join(above)

    # --- notebook pages ---

    def notebook_page(self, path: Path, nb) -> Page:
        "A notebook as a page: prose, examples and their outputs; entries in place of exported code."
        name = self.pages[f"nbs/{path.name}"]
        page = Page(name, self.titles[name], "")
        default = next((c.directives["default_exp"] for c in nb.cells if "default_exp" in c.directives), None)
        parts, titled = [], False
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                parts.append(self.markdown(cell.source, "nbs", page.name))
                if not titled and re.search(r"^#\s+(.+)$", cell.source, re.M):
                    titled = True
                    if path.stem != "index": parts.append(self.notebook_links(path, default))
                continue
            if cell.cell_type != "code" or is_hidden(cell): continue
            d = cell.directives
            if "exporti" in d: continue
            if {"export", "exports"} & d.keys():
                module = f"ddrl.{d.get('export') or d.get('exports') or default}"
                groups = same_statement(self.cell_symbols(cell.source, module, page.name))
                parts += [self.entry(g[0], tuple(s.name for s in g[1:])) for g in groups]
                if "exports" in d:
                    source = _indent(fenced("python", strip_directives(cell.source)))
                    parts.append(f'??? note "Exported source"\n\n{source}')
                continue
            source = strip_directives(cell.source)
            if source and d.get("echo") != "false":
                title = "parameters (papermill)" if "parameters" in cell.get("metadata", {}).get("tags", []) else ""
                parts.append(fenced("python", source, title))
            if d.get("output") != "false":
                parts += [o for k, out in enumerate(cell.get("outputs", []))
                          if (o := self.output(out, f"{path.stem}_files/cell{i}_{k}", page))]
        page.markdown = "\n\n".join(p for p in parts if p.strip()) + "\n"
        return page

    def notebook_links(self, path: Path, module: str | None) -> str:
        "The line under a notebook page's title: download the notebook, see it and its module in the repository."
        links = [f'[:material-download: Download the notebook](notebooks/{path.name}){{ download="{path.name}" }}']
        if self.repo: links.append(f"[:material-github: nbs/{path.name}]({self.repo}/blob/main/nbs/{path.name})")
        if module and self.repo:
            links.append(f"[:material-language-python: ddrl/{module}.py]({self.repo}/blob/main/ddrl/{module}.py)")
        return '<div class="nb-links" markdown>\n' + " &middot; ".join(links) + "\n</div>"

    def output(self, out, stem: str, page: Page) -> str:
        "One cell output as Markdown (figures written as files)."
        kind = out.get("output_type")
        if kind == "stream":
            text = clean_stream(out.get("text", ""), out.get("name") == "stderr").replace(f"{self.root}/", "")
            if out.get("name") == "stdout" and MARKDOWN_TABLE.fullmatch(text.strip()):   # a printed table, shown as one
                return _wrap(self.markdown(text.strip(), "nbs", page.name), "nb-markdown")
            return _wrap(fenced("text", text), "nb-" + out.get("name", "stdout")) if text.strip() else ""
        if kind == "error":
            return _wrap(fenced("text", ANSI.sub("", "\n".join(out.get("traceback", [])))), "nb-error")
        data = {k: as_text(v) if not k.startswith("image/png") else v for k, v in out.get("data", {}).items()}
        if "image/png" in data:
            png = base64.b64decode(as_text(data["image/png"]))
            page.files[f"{stem}.png"] = png
            width = (out.get("metadata", {}).get("image/png") or {}).get("width") or (image_size(png) or (0,))[0]
            alt = re.sub(r"[<>\[\]]", "", data.get("text/plain", "figure"))
            return _wrap(f'![{alt}]({posixpath.basename(posixpath.dirname(stem + ".png"))}/'
                         f'{posixpath.basename(stem)}.png){{ width="{width}" loading="lazy" }}', "nb-figure")
        if "image/svg+xml" in data: return _wrap(data["image/svg+xml"], "nb-figure", markdown=False)
        if "text/html" in data:
            return _wrap("\n".join(l for l in data["text/html"].splitlines() if l.strip()), "nb-html", markdown=False)
        if "text/markdown" in data: return _wrap(self.markdown(data["text/markdown"], "nbs", page.name), "nb-markdown")
        if "text/latex" in data: return _wrap(data["text/latex"], "nb-markdown")
        if "text/plain" in data: return _wrap(fenced("text", clean_stream(data["text/plain"], False)), "nb-result")
        return ""

    # --- results ---

    def result_pages(self) -> list[str]:
        "Every Markdown page under results/ (the pipeline reports first), then how they are made."
        pages = sorted((p for p in self.staged if p.endswith(".md") and p.startswith("results/")),
                       key=lambda p: (not p.startswith("results/pipeline"), p.count("/"), p))
        return pages + sorted(p for p in self.staged if p.endswith(".md") and not p.startswith("results/"))

    def title_of(self, rel: str) -> str:
        text = (self.root / rel).read_text()
        title = next((l[2:].strip() for l in text.splitlines() if l.startswith("# ")),
                     Path(rel).stem.replace("_", " ").capitalize())
        return title.replace("`", "")

    def markdown_page(self, rel: str, text: str) -> str:
        "A Markdown file of the repository as a page: links resolved, names linked, runs of figures in a grid."
        return figure_grids(self.markdown(text, posixpath.dirname(rel), rel), self.root / posixpath.dirname(rel))

    def results_overview(self) -> str:
        "results/index.md: every results page, and every figure and file that no page shows."
        shown = set()
        for rel in self.result_pages():
            for target in re.findall(r"\]\(([^)\s]+)", (self.root / rel).read_text()):
                shown.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel), target)))
        lines = ["# Results", "", "Everything the experiments and the pipeline committed to `results/`: each page below",
                 "is a Markdown file of the repository (tables, figures, how the numbers were obtained); figures",
                 "and data files that no page shows are listed under their folder. Model weights and datasets",
                 "stay in the repository.", ""]
        folders = sorted({p.split("/")[1] for p in self.staged if p.startswith("results/") and p.count("/") > 1})
        for folder in folders:
            files = sorted(p for p in self.staged if p.startswith(f"results/{folder}/"))
            lines += [f"## {folder}", ""]
            pages = [p for p in files if p.endswith(".md")]
            lines += [f"- [{self.title_of(p)}]({posixpath.relpath(p, 'results')}) (`{p}`)" for p in pages]
            figures = [p for p in files if p.endswith((".png", ".svg", ".jpg", ".jpeg", ".gif")) and p not in shown]
            if figures:
                grid = figure_grid([(p, posixpath.relpath(p, "results"), posixpath.relpath(p, f"results/{folder}"))
                                    for p in figures], self.root / "results")
                title = f"{len(figures)} figures in `results/{folder}/` that no page shows"
                lines += ["", f'??? example "{title}"', "", _indent(grid)]
            data = [p for p in files if not p.endswith((".md", ".png", ".svg", ".jpg", ".jpeg", ".gif")) and p not in shown]
            if data:
                lines += ["", f'??? note "{len(data)} data file{"s" if len(data) > 1 else ""} in `results/{folder}/`"', ""]
                here = f"results/{folder}"
                lines += [f"    - [{posixpath.relpath(p, here)}]({posixpath.relpath(p, 'results')})" for p in data]
            lines.append("")
        return "\n".join(lines)

    def api_index(self) -> str:
        "api.md: every exported symbol by module, in notebook order, with its one-line summary."
        lines = ["# API index", "", "Every exported name, by module in notebook order; each links to its entry on the",
                 "notebook page that defines it (signature, parameters, source).", ""]
        for page, symbols in self.by_page.items():
            module = symbols[0].module
            lines += [f"## `{module}`", "", f"Defined in [{Path(page).stem}: {self.titles.get(page, '')}]({page}).", "",
                      "| name | kind | summary |",
                      "|---|---|---|"]
            for s in symbols:
                summary = s.summary if s.kind != "constant" else self.constant_comment(s)
                summary = self.markdown(summary, "ddrl", "api.md").replace("|", "\\|")
                lines.append(f"| [`{s.name}`]({page}#{s.name}) | {s.kind} | {summary} |")
            lines.append("")
        return "\n".join(lines)

def _code(text: str) -> str:
    "Inline code that is safe in a Markdown table cell."
    return f"<code>{html.escape(text).replace('|', '&#124;')}</code>" if text else ""

def _wrap(body: str, cls: str, markdown: bool = True) -> str:
    return f'<div class="nb-output {cls}"{" markdown" if markdown else ""}>\n\n{body}\n\n</div>'

def _indent(text: str) -> str: return "\n".join(("    " + l) if l else l for l in text.splitlines())

IMAGE_ONLY = re.compile(r"^!\[([^\]]*)\]\(([^)\s]+)\)(\{[^}]*\})?$")

def figure_grid(figures: list[tuple[str, str, str]], folder: Path) -> str:
    "(alt, src, caption) figures side by side: landscape ones two to a row (very wide ones a row each), portrait ones three."
    aspects = [_aspect(folder / src) for _, src, _ in figures]
    items = []
    for (alt, src, caption), aspect in zip(figures, aspects):
        wide = ' class="wide"' if aspect > 2.2 else ""
        items.append(f'<figure markdown{wide}>\n![{alt}]({src}){{ loading="lazy" }}\n'
                     f'<figcaption markdown="span">{(caption or alt).rstrip(":")}</figcaption>\n</figure>')
    shape = "portrait" if all(0 < a < 1 for a in aspects if a <= 2.2) else "landscape"   # wide ones take a row anyway
    return f'<div class="figure-grid {shape}" markdown>\n\n' + "\n\n".join(items) + "\n\n</div>"

def figure_grids(md: str, folder: Path) -> str:
    "Runs of two or more figures (each with an optional one-line caption ending in ':') and tables of images as grids."
    blocks = re.split(r"\n{2,}", md)
    out, run = [], []
    def flush():
        if len(run) >= 2: out.append(figure_grid(run, folder))
        else: out.extend(f"{c}\n\n![{a}]({s})" if c else f"![{a}]({s})" for a, s, c in run)
        run.clear()
    i = 0
    while i < len(blocks):
        block, nxt = blocks[i].strip(), blocks[i + 1].strip() if i + 1 < len(blocks) else ""
        caption = block if (block.endswith(":") and "\n" not in block and len(block) < 200 and IMAGE_ONLY.match(nxt)) else ""
        if caption: block, i = nxt, i + 1
        m = IMAGE_ONLY.match(block)
        if m: run.append((m.group(1), m.group(2), caption))
        else:
            flush()
            out.append(_image_table(block, folder) or blocks[i])
        i += 1
    flush()
    return "\n\n".join(out)

def _image_table(block: str, folder: Path) -> str | None:
    "A Markdown table whose body cells are all images, as a figure grid captioned by the header."
    rows = [r for r in block.splitlines() if r.strip().startswith("|")]
    if len(rows) < 3 or len(rows) != len(block.splitlines()): return None
    cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
    head, body = cells[0], cells[2:]
    images = [IMAGE_ONLY.match(c) for r in body for c in r]
    if not images or not all(images): return None
    return figure_grid([(m.group(1), m.group(2), head[k % len(head)]) for k, m in enumerate(images)], folder)

def _aspect(path: Path) -> float:
    try: size = image_size(path.read_bytes()[:32])
    except OSError: return 0
    return size[0] / size[1] if size and size[1] else 0
