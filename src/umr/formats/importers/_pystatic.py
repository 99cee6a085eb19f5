"""Read plain data that a Python module builds at import time, without importing it.

Model zoos keep their pretrained-weight registries as module-level Python: dict literals,
calls to small config helpers (``_cfg(url='', **kwargs) -> {...}``), ``dict(...)``, a loop that
copies entries. Importing the package would run everything else too (and timm and open_clip
need torchvision to import). :func:`module_namespace` instead walks the module's syntax tree
and evaluates a small, closed subset of Python over plain data:

- literals, names, f-strings, ``+``/``-``/``*``/``%`` on numbers, strings and sequences,
  comparisons, ``and``/``or``/``not``, conditional expressions, subscripts, comprehensions;
- calls to functions defined in the same module (their bodies run in this same subset), to
  ``dict``/``list``/``tuple``/``set``/``len``/``str``/``int``/``float``/``bool``/``sorted``/
  ``range``/``zip``/``enumerate``/``isinstance`` and ``copy.copy``/``deepcopy``, and to the
  data methods listed in ``_METHODS``;
- assignment, ``for``, ``if``, ``return`` and expression statements.

Anything else (imports, classes, attribute access on anything but plain data, unknown calls)
evaluates to :class:`Unknown`, which carries where and why; a value built from an Unknown is
Unknown, so a caller sees exactly which fields it could not read. Nothing is ever executed,
no name is ever imported, and a step budget bounds the work.
"""

from __future__ import annotations

import ast
import copy
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

MAX_STEPS = 5_000_000  # evaluation steps per module
MAX_DEPTH = 40  # nested calls of module functions
MAX_SIZE = 1_000_000  # items in a built string, list or range


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that could not be read statically, and why (``file:line what``)."""

    why: str

    def __repr__(self) -> str:
        return f"<unknown: {self.why}>"


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Budget(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Function:
    node: ast.FunctionDef
    scope: dict[str, Any]  # the module namespace it closes over


_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv,
    ast.Div: operator.truediv,
    ast.BitOr: operator.or_,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_BUILTINS: dict[str, Callable[..., Any]] = {
    "dict": dict,
    "list": list,
    "tuple": tuple,
    "set": set,
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "sorted": sorted,
    "range": range,
    "zip": zip,
    "enumerate": enumerate,
    "isinstance": isinstance,
}
_COPY = {"copy": copy.copy, "deepcopy": copy.deepcopy}
_CALLABLE = frozenset([*_BUILTINS.values(), *_COPY.values()])
# calls that may hold an Unknown without becoming one (containers keep what they are given)
_KEEP_UNKNOWN = frozenset({"dict", "list", "tuple", "copy", "deepcopy", "append", "insert"})
_KEEP_UNKNOWN_METHODS = frozenset({"append", "insert", "setdefault", "get", "pop"})
_METHODS: dict[type, frozenset[str]] = {
    dict: frozenset({"get", "items", "keys", "values", "copy", "update", "pop", "setdefault"}),
    list: frozenset({"append", "extend", "copy", "index", "count", "insert"}),
    str: frozenset(
        {
            "lower",
            "upper",
            "replace",
            "split",
            "rsplit",
            "strip",
            "rstrip",
            "lstrip",
            "startswith",
            "endswith",
            "format",
            "join",
            "partition",
            "rpartition",
        }
    ),
    tuple: frozenset({"index", "count"}),
}


def _unknownish(value: Any) -> Unknown | None:
    return value if isinstance(value, Unknown) else None


@dataclass(frozen=True, slots=True)
class _Intrinsic:
    """A function of the caller's own, bound to an imported name (see module_namespace)."""

    fn: Callable[..., Any]


class _Evaluator:
    def __init__(self, path: str, intrinsics: dict[str, Callable[..., Any]]) -> None:
        self.intrinsics = intrinsics
        self.path = path
        self.steps = 0
        self.depth = 0

    def unknown(self, node: ast.AST, what: str) -> Unknown:
        return Unknown(f"{self.path}:{getattr(node, 'lineno', '?')} {what}")

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Budget

    # statements -----------------------------------------------------------------------------

    def run(self, body: Iterable[ast.stmt], scope: dict[str, Any]) -> None:
        for stmt in body:
            self.tick()
            self.statement(stmt, scope)

    def statement(self, stmt: ast.stmt, scope: dict[str, Any]) -> None:
        if isinstance(stmt, ast.FunctionDef):
            scope[stmt.name] = _Function(stmt, scope if self.depth == 0 else dict(scope))
        elif isinstance(stmt, ast.Assign):
            value = self.expr(stmt.value, scope)
            for target in stmt.targets:
                self.assign(target, value, scope)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, self.expr(stmt.value, scope), scope)
        elif isinstance(stmt, ast.AugAssign):
            fn = _BINOPS.get(type(stmt.op))
            current = self.expr(stmt.target, scope)  # read the target as a value
            value = self.expr(stmt.value, scope)
            self.assign(stmt.target, self.binop(stmt, fn, current, value), scope)
        elif isinstance(stmt, ast.Expr):
            self.expr(stmt.value, scope)
        elif isinstance(stmt, ast.Return):
            raise _Return(self.expr(stmt.value, scope) if stmt.value else None)
        elif isinstance(stmt, ast.If):
            test = self.expr(stmt.test, scope)
            if isinstance(test, Unknown):
                return  # neither branch is known to run
            self.run(stmt.body if test else stmt.orelse, scope)
        elif isinstance(stmt, ast.For):
            items = self.expr(stmt.iter, scope)
            if isinstance(items, Unknown) or not isinstance(items, Iterable):
                return
            for item in items if isinstance(items, range) else list(items):
                self.assign(stmt.target, item, scope)
                self.run(stmt.body, scope)
        elif isinstance(stmt, ast.ClassDef):
            scope[stmt.name] = self.unknown(stmt, f"class {stmt.name}")
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            from_copy = isinstance(stmt, ast.ImportFrom) and stmt.module == "copy"
            for alias in stmt.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound in self.intrinsics:
                    scope[bound] = _Intrinsic(self.intrinsics[bound])
                elif from_copy and alias.name in _COPY:
                    scope[bound] = _COPY[alias.name]
                elif isinstance(stmt, ast.Import) and alias.name == "copy":
                    scope[bound] = _Module("copy")
                else:  # nothing is imported: the name stays unknown
                    scope[bound] = self.unknown(stmt, f"imported name {bound!r}")
        elif isinstance(stmt, ast.Try):
            self.run(stmt.body, scope)
        # everything else (with, while, raise, del, global, ...) is not run

    def assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            if isinstance(value, Unknown):
                for elt in target.elts:
                    self.assign(elt, value, scope)
                return
            values = list(value)
            if len(values) == len(target.elts):
                for elt, item in zip(target.elts, values, strict=True):
                    self.assign(elt, item, scope)
        elif isinstance(target, ast.Subscript):
            container = self.expr(target.value, scope)
            key = self.expr(target.slice, scope)
            if isinstance(container, dict | list) and not isinstance(key, Unknown):
                container[key] = value

    # expressions ----------------------------------------------------------------------------

    def expr(self, node: ast.expr, scope: dict[str, Any]) -> Any:
        self.tick()
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            return self.unknown(node, f"{type(node).__name__} expression")
        return method(node, scope)

    def _Constant(self, node: ast.Constant, scope: dict[str, Any]) -> Any:
        return node.value

    def _Name(self, node: ast.Name, scope: dict[str, Any]) -> Any:
        if node.id in scope:
            return scope[node.id]
        if node.id in _BUILTINS:
            return _BUILTINS[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        return self.unknown(node, f"name {node.id!r}")

    def _Dict(self, node: ast.Dict, scope: dict[str, Any]) -> Any:
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**other}
                other = self.expr(value, scope)
                if isinstance(other, Unknown) or not isinstance(other, dict):
                    return (
                        other
                        if isinstance(other, Unknown)
                        else self.unknown(node, "** of non-dict")
                    )
                out.update(other)
                continue
            k = self.expr(key, scope)
            if isinstance(k, Unknown):
                return k
            out[k] = self.expr(value, scope)
        return out

    def _List(self, node: ast.List, scope: dict[str, Any]) -> Any:
        return self._sequence(node.elts, scope)

    def _Tuple(self, node: ast.Tuple, scope: dict[str, Any]) -> Any:
        items = self._sequence(node.elts, scope)
        return items if isinstance(items, Unknown) else tuple(items)

    def _Set(self, node: ast.Set, scope: dict[str, Any]) -> Any:
        items = self._sequence(node.elts, scope)
        return items if isinstance(items, Unknown) or not _hashable(items) else set(items)

    def _sequence(self, elts: list[ast.expr], scope: dict[str, Any]) -> Any:
        out: list[Any] = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                inner = self.expr(elt.value, scope)
                if isinstance(inner, Unknown):
                    return inner
                out.extend(inner)
            else:
                out.append(self.expr(elt, scope))
        return out

    def _JoinedStr(self, node: ast.JoinedStr, scope: dict[str, Any]) -> Any:
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                inner = self.expr(value.value, scope)
                if isinstance(inner, Unknown) or value.format_spec is not None:
                    return (
                        inner if isinstance(inner, Unknown) else self.unknown(node, "format spec")
                    )
                parts.append(str(inner))
            else:
                parts.append(str(self.expr(value, scope)))
        return "".join(parts)

    def binop(self, node: ast.AST, fn: Callable[[Any, Any], Any] | None, a: Any, b: Any) -> Any:
        if fn is None:
            return self.unknown(node, "operator")
        if unknown := _unknownish(a) or _unknownish(b):
            return unknown
        if isinstance(a, str) and fn is operator.mod:
            return self.unknown(node, "%-formatting")
        if fn is operator.mul and (_too_large(a, b) or _too_large(b, a)):
            return self.unknown(node, "value too large")
        try:
            result = fn(a, b)
        except (TypeError, ValueError, ArithmeticError) as exc:
            return self.unknown(node, f"{type(exc).__name__}")
        if isinstance(result, str | list | tuple) and len(result) > MAX_SIZE:
            return self.unknown(node, "value too large")
        return result

    def _BinOp(self, node: ast.BinOp, scope: dict[str, Any]) -> Any:
        a, b = self.expr(node.left, scope), self.expr(node.right, scope)
        return self.binop(node, _BINOPS.get(type(node.op)), a, b)

    def _UnaryOp(self, node: ast.UnaryOp, scope: dict[str, Any]) -> Any:
        value = self.expr(node.operand, scope)
        if isinstance(value, Unknown):
            return value
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub) and isinstance(value, int | float):
            return -value
        return self.unknown(node, "unary operator")

    def _BoolOp(self, node: ast.BoolOp, scope: dict[str, Any]) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.expr(operand, scope)
            if isinstance(value, Unknown):
                return value
            if isinstance(node.op, ast.And) != bool(value):
                return value
        return value

    def _Compare(self, node: ast.Compare, scope: dict[str, Any]) -> Any:
        left = self.expr(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.expr(comparator, scope)
            if unknown := _unknownish(left) or _unknownish(right):
                return unknown
            try:
                if not _CMPOPS[type(op)](left, right):
                    return False
            except TypeError:
                return self.unknown(node, "comparison")
            left = right
        return True

    def _IfExp(self, node: ast.IfExp, scope: dict[str, Any]) -> Any:
        test = self.expr(node.test, scope)
        if isinstance(test, Unknown):
            return test
        return self.expr(node.body if test else node.orelse, scope)

    def _Subscript(self, node: ast.Subscript, scope: dict[str, Any]) -> Any:
        container = self.expr(node.value, scope)
        if isinstance(node.slice, ast.Slice):
            parts = [
                self.expr(p, scope) if p else None for p in (node.slice.lower, node.slice.upper)
            ]
            if any(isinstance(p, Unknown) for p in parts) or isinstance(container, Unknown):
                return self.unknown(node, "slice")
            return container[parts[0] : parts[1]]
        key = self.expr(node.slice, scope)
        if unknown := _unknownish(container) or _unknownish(key):
            return unknown
        try:
            return container[key]
        except (KeyError, IndexError, TypeError):
            return self.unknown(node, f"subscript {key!r}")

    def _comprehension(
        self, node: Any, scope: dict[str, Any], emit: Callable[[dict[str, Any]], None]
    ) -> Unknown | None:
        def loop(generators: list[ast.comprehension], inner: dict[str, Any]) -> Unknown | None:
            if not generators:
                emit(inner)
                return None
            gen, rest = generators[0], generators[1:]
            items = self.expr(gen.iter, inner)
            if isinstance(items, Unknown):
                return items
            for item in list(items):
                local = dict(inner)
                self.assign(gen.target, item, local)
                conditions = [self.expr(c, local) for c in gen.ifs]
                if any(isinstance(c, Unknown) for c in conditions):
                    return self.unknown(node, "comprehension condition")
                if all(conditions) and (failed := loop(rest, local)):
                    return failed
            return None

        return loop(node.generators, dict(scope))

    def _DictComp(self, node: ast.DictComp, scope: dict[str, Any]) -> Any:
        out: dict[Any, Any] = {}

        def emit(local: dict[str, Any]) -> None:
            key = self.expr(node.key, local)
            if not isinstance(key, Unknown):
                out[key] = self.expr(node.value, local)

        return self._comprehension(node, scope, emit) or out

    def _ListComp(self, node: ast.ListComp, scope: dict[str, Any]) -> Any:
        out: list[Any] = []
        return (
            self._comprehension(node, scope, lambda local: out.append(self.expr(node.elt, local)))
            or out
        )

    def _GeneratorExp(self, node: ast.GeneratorExp, scope: dict[str, Any]) -> Any:
        out: list[Any] = []  # read eagerly: the data it yields is all that matters here
        failed = self._comprehension(
            node, scope, lambda local: out.append(self.expr(node.elt, local))
        )
        return failed or out

    def _Attribute(self, node: ast.Attribute, scope: dict[str, Any]) -> Any:
        owner = self.expr(node.value, scope)
        if isinstance(owner, _Module) and owner.name == "copy" and node.attr in _COPY:
            return _COPY[node.attr]
        if isinstance(owner, Unknown):
            return owner
        allowed = next((m for t, m in _METHODS.items() if isinstance(owner, t)), frozenset())
        if node.attr in allowed:
            return getattr(owner, node.attr)
        return self.unknown(node, f"attribute {node.attr!r}")

    def _Call(self, node: ast.Call, scope: dict[str, Any]) -> Any:
        fn = self.expr(node.func, scope)
        args = self._sequence(node.args, scope)
        if isinstance(args, Unknown):
            return args
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            value = self.expr(kw.value, scope)
            if kw.arg is None:
                if not isinstance(value, dict):
                    return (
                        value
                        if isinstance(value, Unknown)
                        else self.unknown(node, "** of non-dict")
                    )
                kwargs.update(value)
            else:
                kwargs[kw.arg] = value
        if isinstance(fn, Unknown):
            return fn
        if isinstance(fn, _Function):
            return self.call(fn, args, kwargs, node)
        if isinstance(fn, _Intrinsic):
            return fn.fn(*args, **kwargs)
        if callable(fn) and (fn in _CALLABLE or _is_bound_data_method(fn)):
            name = getattr(fn, "__name__", "")
            keeps = name in _KEEP_UNKNOWN if fn in _CALLABLE else name in _KEEP_UNKNOWN_METHODS
            unknown = next((a for a in args if isinstance(a, Unknown)), None)
            if unknown is not None and not keeps:
                return unknown
            if fn is range and any(isinstance(a, int) and abs(a) > MAX_SIZE for a in args):
                return self.unknown(node, "range too large")
            try:
                return fn(*args, **kwargs)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
                return self.unknown(node, f"call failed: {type(exc).__name__}")
        return self.unknown(node, "call")

    def call(self, fn: _Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        if self.depth >= MAX_DEPTH:
            return self.unknown(node, "calls nested too deep")
        spec = fn.node.args
        local = dict(fn.scope)
        params = [*spec.posonlyargs, *spec.args]
        defaults = [None] * (len(params) - len(spec.defaults)) + list(spec.defaults)
        for i, (param, default) in enumerate(zip(params, defaults, strict=True)):
            if i < len(args):
                local[param.arg] = args[i]
            elif param.arg in kwargs:
                local[param.arg] = kwargs.pop(param.arg)
            elif default is not None:
                local[param.arg] = self.expr(default, fn.scope)
            else:
                return self.unknown(node, f"missing argument {param.arg!r}")
        for param, default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
            if param.arg in kwargs:
                local[param.arg] = kwargs.pop(param.arg)
            elif default is not None:
                local[param.arg] = self.expr(default, fn.scope)
        if spec.vararg:
            local[spec.vararg.arg] = tuple(args[len(params) :])
        if spec.kwarg:
            local[spec.kwarg.arg] = kwargs
        elif kwargs:
            return self.unknown(node, f"unexpected arguments {sorted(kwargs)}")
        self.depth += 1
        try:
            self.run(fn.node.body, local)
        except _Return as ret:
            return ret.value
        finally:
            self.depth -= 1
        return None


@dataclass(frozen=True, slots=True)
class _Module:
    name: str


def _too_large(seq: Any, times: Any) -> bool:
    return (
        isinstance(seq, str | list | tuple)
        and isinstance(times, int)
        and len(seq) * times > MAX_SIZE
    )


def _hashable(items: list[Any]) -> bool:
    try:
        set(items)
    except TypeError:
        return False
    return True


def _is_bound_data_method(fn: Any) -> bool:
    owner = getattr(fn, "__self__", None)
    return any(
        isinstance(owner, t) and getattr(fn, "__name__", "") in m for t, m in _METHODS.items()
    )


def module_namespace(
    source: str | ast.Module, path: str, intrinsics: dict[str, Callable[..., Any]] | None = None
) -> dict[str, Any]:
    """The module-level names ``source`` binds, evaluated statically (see the module doc).

    ``intrinsics`` binds imported names to the caller's own functions (e.g. a registry
    helper the module imports from its package), which are then called with the values read.

    Raises SyntaxError if the source does not parse; a module that runs past the step budget
    returns what it had bound so far, with ``__truncated__`` set."""
    tree = ast.parse(source, filename=path) if isinstance(source, str) else source
    ev = _Evaluator(path, intrinsics or {})
    scope: dict[str, Any] = {}
    try:
        ev.run(tree.body, scope)
    except _Budget:
        scope["__truncated__"] = Unknown(f"{path}: stopped after {MAX_STEPS:,} steps")
    except _Return:
        pass
    return scope


def decorated_functions(source: str | ast.Module, path: str, decorator: str) -> list[str]:
    """Names of the module-level functions decorated with ``@decorator`` (or ``@x.decorator``)."""
    names = []
    tree = ast.parse(source, filename=path) if isinstance(source, str) else source
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                name = (
                    target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                )
                if name == decorator:
                    names.append(node.name)
    return names
