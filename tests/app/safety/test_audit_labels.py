"""Every action and entity the program writes to the 操作日志 has a Chinese name on screen and in the export.

The names are found by reading the source (ast), not by running the services: a new `audit.record(...)`
with a new action or entity fails here until it is labelled in app/services/safety/audit_log.py.
An argument that is not a literal is followed to where its value comes from: an `a if c else b`, a local
assignment, a module constant, or the caller's argument when it is a parameter of the enclosing function.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from app.services.safety.audit_log import (
    ACTION_LABELS,
    ENTITY_LABELS,
    FIELD_LABELS,
    OTHER_ACTION,
    OTHER_ENTITY,
    action_label,
    changes_text,
    entity_label,
)

ROOT = Path(__file__).resolve().parents[3]
# where the argument sits in each recording call: (position, keyword); None: the default applies
RECORD_ARGS = {"record": {"action": (2, "action"), "entity": (3, "entity")},
               "record_change": {"action": (None, "action"), "entity": (2, "entity")},
               "AuditEntry": {"action": (None, "action"), "entity": (None, "entity")}}
DEFAULTS = {"record_change": {"action": "update"}}


@dataclass
class Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    constants: dict[str, ast.expr] = field(default_factory=dict)


def _load(paths: list[Path]) -> list[Module]:
    out = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        mod = Module(path, tree)
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                mod.parents[child] = node
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                mod.constants[stmt.targets[0].id] = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                mod.constants[stmt.target.id] = stmt.value
        out.append(mod)
    return out


def _callee(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and position < len(call.args) and not any(
            isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return None


def _enclosing_function(mod: Module, node: ast.AST) -> ast.FunctionDef | None:
    while node in mod.parents:
        node = mod.parents[node]
        if isinstance(node, ast.FunctionDef):
            return node
    return None


class Resolver:
    def __init__(self, modules: list[Module]) -> None:
        self.modules = modules
        self.unresolved: list[str] = []

    def values(self, mod: Module, expr: ast.expr, depth: int = 0) -> set[str]:
        """Every string `expr` can be, or records where it cannot be followed."""
        where = f"{mod.path.relative_to(ROOT)}:{expr.lineno}"
        if depth > 6:
            self.unresolved.append(where)
            return set()
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.values(mod, expr.body, depth + 1) | self.values(mod, expr.orelse, depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(mod, expr, depth)
        self.unresolved.append(where)
        return set()

    def _name(self, mod: Module, name: ast.Name, depth: int) -> set[str]:
        func = _enclosing_function(mod, name)
        if func is not None:
            assigned = [n.value for n in ast.walk(func) if isinstance(n, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == name.id for t in n.targets)]
            if assigned:
                return set().union(*(self.values(mod, v, depth + 1) for v in assigned))
            params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
            if name.id in params or name.id in [a.arg for a in func.args.kwonlyargs]:
                position = params.index(name.id) if name.id in params else None
                return self._from_callers(mod, func, name.id, position, depth)
        if name.id in mod.constants:
            return self.values(mod, mod.constants[name.id], depth + 1)
        self.unresolved.append(f"{mod.path.relative_to(ROOT)}:{name.lineno} ({name.id})")
        return set()

    def _from_callers(self, home: Module, func: ast.FunctionDef, param: str, position: int | None,
                      depth: int) -> set[str]:
        """A parameter: what every call of that function passes for it (a _private one: in its own module)."""
        out: set[str] = set()
        default = _param_default(func, param)
        for mod in [home] if func.name.startswith("_") else self.modules:
            for call in ast.walk(mod.tree):
                if isinstance(call, ast.Call) and _callee(call) == func.name:
                    arg = _argument(call, position, param)
                    if arg is not None:
                        out |= self.values(mod, arg, depth + 1)
                    elif default is not None:
                        out |= {default}
        return out


def _param_default(func: ast.FunctionDef, param: str) -> str | None:
    args = func.args.args
    defaults = dict(zip([a.arg for a in args[len(args) - len(func.args.defaults):]], func.args.defaults,
                        strict=True))
    value = defaults.get(param)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def recorded_names(paths: list[Path]) -> tuple[set[str], set[str], list[str], int]:
    """(actions, entities, places that could not be followed, number of recording calls) in these files."""
    modules = _load(paths)
    resolver = Resolver(modules)
    found: dict[str, set[str]] = {"action": set(), "entity": set()}
    calls = 0
    for mod in modules:
        if mod.path.name == "audit.py" and mod.path.parent.name == "services":
            continue  # record_change passes its own parameters on to record
        for call in ast.walk(mod.tree):
            if not isinstance(call, ast.Call):
                continue
            name = _callee(call)
            if name not in RECORD_ARGS:
                continue
            if name != "AuditEntry" and not (isinstance(call.func, ast.Attribute)
                                             and isinstance(call.func.value, ast.Name)
                                             and call.func.value.id == "audit"):
                continue
            calls += 1
            for what, (position, keyword) in RECORD_ARGS[name].items():
                arg = _argument(call, position, keyword)
                if arg is None:
                    default = DEFAULTS.get(name, {}).get(what)
                    if default is None:
                        resolver.unresolved.append(f"{mod.path.relative_to(ROOT)}:{call.lineno} (no {what})")
                    else:
                        found[what].add(default)
                    continue
                found[what] |= resolver.values(mod, arg)
    return found["action"], found["entity"], resolver.unresolved, calls


def _app_sources() -> list[Path]:
    return sorted((ROOT / "app").rglob("*.py"))


def test_every_recorded_action_and_entity_has_a_chinese_label() -> None:
    actions, entities, unresolved, calls = recorded_names(_app_sources())
    assert calls > 100  # the walk found the program's recording calls
    assert unresolved == []
    # what the 操作日志 was seen showing in English (issue 20) is among what the walk finds
    assert {"accept", "assign", "cancel", "escalate", "publish", "reply", "reprint", "solve", "visit"} <= actions
    assert {"assessment", "meeting", "point_rule", "star_category"} <= entities
    assert sorted(actions - ACTION_LABELS.keys()) == []
    assert sorted(entities - ENTITY_LABELS.keys()) == []


def test_labels_are_chinese_and_unknown_codes_never_show() -> None:
    for label in (*ACTION_LABELS.values(), *ENTITY_LABELS.values()):
        assert label and not any("a" <= ch.lower() <= "z" for ch in label), label
    assert action_label("visit") == "回访"
    assert entity_label("star_category") == "星类"
    # a code written by a newer version, or a typo: a generic Chinese word, not the code
    assert action_label("frobnicate") == OTHER_ACTION == "其他操作"
    assert entity_label("frobnicate") == OTHER_ENTITY


def test_the_walk_follows_values_and_reports_what_it_cannot(tmp_path: Path) -> None:
    src = tmp_path / "svc.py"
    src.write_text(
        'KIND = "gadget"\n'
        "def _step(s, t, action):\n"
        '    audit.record(s, 1, action, KIND, None, "x")\n'
        "def go(s, t):\n"
        '    which = "spin" if t else "stop"\n'
        "    _step(s, t, which)\n"
        '    _step(s, t, "halt")\n'
        '    audit.record_change(s, 1, "widget", 2, "y", {}, {})\n'
        "    audit.record(s, 1, make_action(), KIND, None)\n",
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        actions, entities, unresolved, calls = recorded_names([src])
    finally:
        ROOT = saved
    assert calls == 3
    assert actions == {"spin", "stop", "halt", "update"}
    assert entities == {"gadget", "widget"}
    assert unresolved == ["svc.py:9"]


def snapshot_fields(paths: list[Path]) -> set[str]:
    """The field names the services put into a from → to: the literal (or module constant) field lists
    given to audit.snapshot, and the keys of literal dicts given to audit.record_change. A list built at run
    time (units' changed fields, a resident's edited fields) is a subset of a constant list read here."""
    fields: set[str] = set()
    for mod in _load(paths):
        for call in ast.walk(mod.tree):
            if not isinstance(call, ast.Call):
                continue
            name = _callee(call)
            if name == "snapshot" and len(call.args) > 1:
                arg = call.args[1]
                arg = mod.constants.get(arg.id, arg) if isinstance(arg, ast.Name) else arg
                if isinstance(arg, ast.Tuple | ast.List):
                    fields |= {e.value for e in arg.elts if isinstance(e, ast.Constant)}
            elif name == "record_change":
                for arg in call.args[5:7]:
                    if isinstance(arg, ast.Dict):
                        fields |= {k.value for k in arg.keys if isinstance(k, ast.Constant)}
    return fields


def test_every_changed_field_has_a_chinese_name() -> None:
    fields = snapshot_fields(_app_sources())
    assert {"held_at", "color", "due_hours", "name"} <= fields  # the walk reaches meetings, grids, tickets
    assert sorted(fields - FIELD_LABELS.keys()) == []
    detail = {"changes": {"color": {"from": "#4f8fd6", "to": "#d0605e"}, "wobble": {"from": 1, "to": 2}}}
    assert changes_text(detail) == "颜色：#4f8fd6 → #d0605e；其他内容：1 → 2"
