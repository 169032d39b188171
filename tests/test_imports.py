"The package's imports go one way, down the pipeline: progress <- data <- expert <- bc <- distill <- eval <- report <- pipeline <- cli."
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("module_graph", ROOT / "tools" / "module_graph.py")
module_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(module_graph)

ORDER = ["__init__", "progress", "data", "expert", "bc", "distill", "eval", "report", "pipeline", "cli"]   # bottom to top
BESIDE = {"task": ORDER[:3]}   # task distillation: beside the Procgen pipeline, on the data layer at most
TOP = {"pipeline", "cli"}      # the only modules that may import `task`


def allowed_imports(module: str) -> set:
    "The modules that `module` may import: those below it."
    if module in BESIDE:
        return set(BESIDE[module])
    below = set(ORDER[:ORDER.index(module)])
    return below | set(BESIDE) if module in TOP else below


def test_no_import_cycle():
    graph = module_graph.module_graph(ROOT / "ddrl")
    assert module_graph.find_cycles(graph) == [], module_graph.describe(graph)


def test_imports_go_down_the_pipeline():
    graph = module_graph.module_graph(ROOT / "ddrl")
    assert set(graph) == set(ORDER) | set(BESIDE), "a new module: give it its place in ORDER (or BESIDE)"
    for module, imports in graph.items():
        upward = set(imports) - allowed_imports(module)
        assert not upward, f"{module} imports {sorted(upward)}, which are not below it\n{module_graph.describe(graph)}"


def test_the_checker_sees_lazy_imports_and_cycles(tmp_path):
    (tmp_path / "a.py").write_text("from .b import x\n")
    (tmp_path / "b.py").write_text("def f():\n    from ddrl.a import y\n")
    (tmp_path / "c.py").write_text("import ddrl.a\nfrom ddrl import b, __version__\n")
    graph = module_graph.module_graph(tmp_path)
    assert graph == {"a": {"b": "top"}, "b": {"a": "lazy"}, "c": {"__init__": "top", "a": "top", "b": "top"}}
    assert module_graph.find_cycles(graph) == [["a", "b"]]
