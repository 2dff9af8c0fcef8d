"""The layers of zoo: no import circle (module-level or inside functions), and zoo never imports recipes."""
import ast
import graphlib
from pathlib import Path

ZOO = Path(__file__).resolve().parents[1] / "zoo"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in ZOO.rglob("*.py"):
        parts = path.relative_to(ZOO.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _targets(module: str, path: Path, node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    base = node.module or ""
    if node.level:
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """module -> the zoo modules it imports anywhere in its file (a module importing the package
    it belongs to is not an edge: Python has run that ``__init__`` first); and every import of recipes."""
    modules, graph, recipes = _modules(), {}, []
    for module, path in modules.items():
        graph[module] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in _targets(module, path, node):
                if target.split(".")[0] == "recipes":
                    recipes.append(f"{module} imports {target}")
                if target in modules and target != module and not module.startswith(target + "."):
                    graph[module].add(target)
    return graph, recipes


def test_zoo_has_no_import_circle_and_never_imports_recipes():
    graph, recipes = import_graph()
    assert len(graph) > 50 and "zoo.registry.manifest" in graph["zoo.registry.download"]
    assert recipes == []
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the circle


def test_the_check_finds_a_circle():
    graph = {"a": {"b"}, "b": {"a"}}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        assert set(error.args[1]) == {"a", "b"}
    else:
        raise AssertionError("graphlib accepted a circle")
