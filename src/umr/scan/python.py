"""Model and dataset references in Python source, read from its syntax tree (never run).

A call is recognised by what it resolves to through the file's imports (``import timm as t``,
``from open_clip import create_model_and_transforms``): ``*.from_pretrained``,
``transformers.pipeline``, ``huggingface_hub.hf_hub_download``/``snapshot_download``,
``sentence_transformers.SentenceTransformer``, ``timm.create_model``, ``open_clip.create_model*``,
``torch.hub.load`` and ``datasets.load_dataset``. Its name argument is read when it is a string
literal, a module-level constant or a constant of the enclosing function (assigned once, to a
string), or an f-string or ``+`` of those; anything else is reported as unresolved with its
source text, never guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from umr.scan.refs import Kind, Location, Reference, Unresolved, alias_keys, hf_keys
from umr.spec.limits import text_problem

# datasets.load_dataset builders that read local files, not a Hub dataset
_BUILDERS = frozenset(
    {"json", "csv", "parquet", "text", "arrow", "pandas", "sql", "webdataset", "generator"}
    | {"imagefolder", "audiofolder", "videofolder"}
)
# No model or dataset id is longer: a name computed longer than this (``B = A + A`` doubles at
# each step) is not evaluated further, and the call that uses it is reported as unresolved.
MAX_NAME = 1_000
_OPEN_CLIP = ("create_model_and_transforms", "create_model", "create_model_from_pretrained")
# Every call recognised here spells its function's name in the source (as the attribute called
# or in the import that binds it) and, but for from_pretrained, its module's name too, so a file
# that holds no such pair is not parsed at all.
TRIGGERS = (
    (("from_pretrained",), ""),
    (("pipeline",), "transformers"),
    (("hf_hub_download", "snapshot_download"), "huggingface_hub"),
    (("SentenceTransformer",), "sentence_transformers"),
    (("create_model",), "timm"),
    (("create_model",), "open_clip"),
    (("hub",), "torch"),
    (("load_dataset",), "datasets"),
)


def may_reference(source: str) -> bool:
    return any(
        module in source and any(word in source for word in words) for words, module in TRIGGERS
    )


@dataclass(frozen=True, slots=True)
class _Dynamic:
    """A name whose value the scan cannot know statically."""


_DYNAMIC = _Dynamic()
Found = Reference | Unresolved


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _scope_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of ``body`` outside nested functions and classes (their own scopes)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _NESTED):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _bindings(node: ast.AST) -> tuple[list[ast.expr], ast.expr | None]:
    """The targets a statement or expression binds, and the value when it is one plain value."""
    if isinstance(node, ast.Assign):
        return node.targets, node.value
    if isinstance(node, ast.AnnAssign):
        return [node.target], node.value
    if isinstance(node, ast.NamedExpr):
        return [node.target], node.value
    if isinstance(node, ast.AugAssign | ast.For | ast.AsyncFor | ast.comprehension):
        return [node.target], None
    if isinstance(node, ast.With | ast.AsyncWith):
        return [i.optional_vars for i in node.items if i.optional_vars is not None], None
    return [], None


def _literals(body: list[ast.stmt], outer: dict[str, str | _Dynamic]) -> dict[str, str | _Dynamic]:
    """Names assigned in ``body`` (not in nested functions): a string if assigned exactly once
    to something that evaluates to a string from ``outer`` and earlier names, else dynamic."""
    assigned: dict[str, list[ast.expr | None]] = {}
    for node in _scope_nodes(body):
        targets, value = _bindings(node)
        for target in targets:
            if (
                isinstance(target, ast.Tuple | ast.List)
                and isinstance(value, ast.Tuple | ast.List)
                and len(target.elts) == len(value.elts)
            ):  # A, B = "x", "y": each name gets its own value
                for elt, part in zip(target.elts, value.elts, strict=True):
                    for node_name in ast.walk(elt):
                        if isinstance(node_name, ast.Name):
                            single = part if elt is node_name else None
                            assigned.setdefault(node_name.id, []).append(single)
                continue
            for node_name in ast.walk(target):
                if isinstance(node_name, ast.Name):
                    single = value if target is node_name else None
                    assigned.setdefault(node_name.id, []).append(single)
    out: dict[str, str | _Dynamic] = {}
    scope = dict(outer)
    for name, values in assigned.items():
        first = values[0] if len(values) == 1 else None
        text = _string(first, scope) if first is not None else None
        out[name] = text if isinstance(text, str) else _DYNAMIC
        scope[name] = out[name]
    return out


def _string(node: ast.expr | None, scope: dict[str, str | _Dynamic]) -> str | None:
    """The string ``node`` evaluates to from literals and known names, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        value = scope.get(node.id)
        return value if isinstance(value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string(node.left, scope), _string(node.right, scope)
        if left is None or right is None or len(left) + len(right) > MAX_NAME:
            return None
        return left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            inner = part.value if isinstance(part, ast.FormattedValue) else part
            text = _string(inner, scope)
            if text is None or (isinstance(part, ast.FormattedValue) and part.format_spec):
                return None
            parts.append(text)
        joined = "".join(parts)
        return joined if len(joined) <= MAX_NAME else None
    return None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class _Splat(ast.Starred):
    """An argument that ``*args`` or ``**kwargs`` may hold: where it is cannot be read, so the
    call is reported as unresolved, showing the splat as written."""

    def __init__(self, value: ast.expr, stars: str) -> None:
        super().__init__(value=value, ctx=ast.Load())
        self.stars = stars
        ast.copy_location(self, value)


def _arg(call: ast.Call, index: int | None, *names: str) -> ast.expr | None:
    """The argument at ``index`` or named one of ``names``, or None when the call has none.
    A literal ``**{"name": ...}`` is read; an argument that ``*args`` (at or before
    ``index``) or ``**kwargs`` may hold is a :class:`_Splat`, reported as unresolved."""
    splat: _Splat | None = None
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
        if kw.arg is None and isinstance(kw.value, ast.Dict):
            for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in names:
                    return value
                if key is None:  # {**inner}: what it holds cannot be read
                    splat = splat or _Splat(value, "**")
                elif not isinstance(key, ast.Constant):
                    splat = splat or _Splat(kw.value, "**")
        elif kw.arg is None:
            splat = splat or _Splat(kw.value, "**")
    if index is not None:
        for i, arg in enumerate(call.args[: index + 1]):
            if isinstance(arg, ast.Starred):
                return _Splat(arg.value, "*")
            if i == index:
                return arg
    return splat


def _truthy(node: ast.expr | None) -> bool:
    """``pretrained=`` as written: absent or a false literal means no weights are loaded."""
    if node is None:
        return False
    return not (isinstance(node, ast.Constant) and not node.value)


class _Visitor:
    def __init__(self, tree: ast.Module, path: str, place: Callable[[int], Location]) -> None:
        self.path, self.place, self.found = path, place, list[Found]()
        self.imports: dict[str, str] = {}  # local name -> what it was imported as
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:  # import torch.hub as th: th is torch.hub
                        self.imports[a.asname] = a.name
                    else:  # import torch.hub: binds torch
                        head = a.name.split(".")[0]
                        self.imports[head] = head
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    self.imports[a.asname or a.name] = f"{node.module}.{a.name}"
        self.scopes = [_literals(tree.body, {})]

    def walk(self, tree: ast.Module) -> None:
        """Every call in ``tree``, each with the names of its enclosing function; iterative,
        so deeply nested code cannot exhaust the interpreter's stack."""
        stack: list[tuple[ast.AST, dict[str, str | _Dynamic]]] = [(tree, self.scopes[0])]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                outer = {**scope, **{a.arg: _DYNAMIC for a in every if a is not None}}
                scope = {**outer, **_literals(node.body, outer)}
            elif isinstance(node, ast.Call):
                self.scopes.append(scope)
                self.visit_Call(node)
                self.scopes.pop()
            stack.extend((child, scope) for child in ast.iter_child_nodes(node))
        self.found.sort(key=lambda f: (f.location.line, f.location.column))

    def qualified(self, func: ast.expr) -> str | None:
        dotted = _dotted(func)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.imports:
            return self.imports[head] + (f".{rest}" if rest else "")
        return dotted

    def visit_Call(self, node: ast.Call) -> None:
        name = self.qualified(node.func) or ""
        if isinstance(node.func, ast.Attribute) and node.func.attr == "from_pretrained":
            self.hub(node, "from_pretrained", _arg(node, 0, "pretrained_model_name_or_path"))
        elif name in ("transformers.pipeline", "transformers.pipelines.pipeline"):
            model = _arg(node, 1, "model")
            if model is None:  # transformers picks a default model for the task: not guessed
                task = _arg(node, 0, "task")
                shown = f"task {self.text_of(task)}" if task is not None else "no model"
                self.found.append(
                    Unresolved(location=self.at(node), api="pipeline", expression=shown)
                )
            else:
                self.hub(node, "pipeline", model)
        elif name.startswith("huggingface_hub.") and name.endswith(
            ("hf_hub_download", "snapshot_download")
        ):
            repo_type = _string(_arg(node, None, "repo_type"), self.scopes[-1])
            if repo_type != "space":
                api = name.rsplit(".", 1)[1]
                self.hub(node, api, _arg(node, 0, "repo_id"), dataset=repo_type == "dataset")
        elif name == "sentence_transformers.SentenceTransformer":
            self.hub(
                node,
                "SentenceTransformer",
                _arg(node, 0, "model_name_or_path"),
                default_org="sentence-transformers",
            )
        elif name == "timm.create_model" and _truthy(_arg(node, 1, "pretrained")):
            self.named(node, "timm.create_model", _arg(node, 0, "model_name"), self.timm)
        elif name.startswith("open_clip.") and name.rsplit(".", 1)[1] in _OPEN_CLIP:
            self.open_clip(node, name.rsplit(".", 1)[1])
        elif name == "torch.hub.load":
            self.torch_hub(node)
        elif name == "datasets.load_dataset":
            self.named(node, "load_dataset", _arg(node, 0, "path"), self.dataset)

    # one handler per kind of name -------------------------------------------------------

    def named(
        self,
        call: ast.Call,
        api: str,
        arg: ast.expr | None,
        keys: Callable[[str], tuple[str, ...] | None],
    ) -> None:
        where = self.at(call)
        if arg is None:  # no name given (a library default, or code that fails): not guessed
            self.found.append(Unresolved(location=where, api=api, expression="no name argument"))
            return
        text = _string(arg, self.scopes[-1])
        if text is None:
            self.found.append(Unresolved(location=where, api=api, expression=self.text_of(arg)))
            return
        found = keys(text)
        if found is None:  # a local path or builder: not a published model or dataset
            return
        if not found:  # a literal that is no well-formed name of its kind
            shown = f"{self.text_of(arg)} (not a well-formed name)"
            self.found.append(Unresolved(location=where, api=api, expression=shown))
            return
        kind: Kind = (
            "dataset"
            if api == "load_dataset" or any(k.startswith("hf:datasets/") for k in found)
            else "model"
        )
        self.found.append(Reference(location=where, api=api, kind=kind, text=text, keys=found))

    def hub(
        self,
        call: ast.Call,
        api: str,
        arg: ast.expr | None,
        *,
        dataset: bool = False,
        default_org: str | None = None,
    ) -> None:
        self.named(
            call,
            api,
            arg,
            lambda text: hf_keys(text, dataset=dataset, default_org=default_org) or None,
        )

    def timm(self, text: str) -> tuple[str, ...] | None:
        for prefix in ("hf-hub:", "hf_hub:"):
            if text.startswith(prefix):
                return hf_keys(text.removeprefix(prefix)) or None
        return alias_keys("timm", text)  # () for a malformed name: reported, not dropped

    def dataset(self, text: str) -> tuple[str, ...] | None:
        if text in _BUILDERS:
            return None
        return hf_keys(text, dataset=True) or None

    def open_clip(self, call: ast.Call, api: str) -> None:
        model_arg, tag_arg = _arg(call, 0, "model_name"), _arg(call, 1, "pretrained")
        model = _string(model_arg, self.scopes[-1]) if model_arg is not None else None
        if model is not None and model.startswith("hf-hub:"):
            self.named(
                call,
                f"open_clip.{api}",
                model_arg,
                lambda t: hf_keys(t.removeprefix("hf-hub:")) or None,
            )
            return
        if tag_arg is None or not _truthy(tag_arg):
            return  # no pretrained weights
        self.pair(call, f"open_clip.{api}", "open_clip", model_arg, tag_arg, _clip_pair)

    def torch_hub(self, call: ast.Call) -> None:
        source = _string(_arg(call, None, "source"), self.scopes[-1])
        if source == "local":
            return
        repo_arg, entry_arg = _arg(call, 0, "repo_or_dir"), _arg(call, 1, "model")
        self.pair(call, "torch.hub.load", "torchhub", repo_arg, entry_arg, _hub_entry)

    def pair(
        self,
        call: ast.Call,
        api: str,
        scheme: str,
        first: ast.expr | None,
        second: ast.expr | None,
        join: Callable[[str, str], str],
    ) -> None:
        """A reference named by two arguments (model and tag, repo and entry point)."""
        one = _string(first, self.scopes[-1]) if first is not None else None
        two = _string(second, self.scopes[-1]) if second is not None else None
        if one is None or two is None:
            shown = ", ".join(self.text_of(a) for a in (first, second) if a is not None)
            self.found.append(Unresolved(location=self.at(call), api=api, expression=shown))
            return
        ident = join(one, two)
        keys = alias_keys(scheme, ident)
        if keys:
            self.found.append(
                Reference(location=self.at(call), api=api, kind="model", text=ident, keys=keys)
            )

    def at(self, node: ast.expr | ast.Call) -> Location:
        loc = self.place(node.lineno)
        return Location(path=loc.path, line=loc.line, column=node.col_offset + 1, cell=loc.cell)

    def text_of(self, node: ast.expr) -> str:
        """The expression as written, cut to 200 characters; escaped when it holds characters
        the text policy refuses (a bidi override in a string literal, say)."""
        if isinstance(node, _Splat):
            shown = (node.stars + ast.unparse(node.value))[:200]
        else:
            shown = ast.unparse(node)[:200]
        return shown if text_problem(shown) is None else ascii(shown)


def _clip_pair(model: str, tag: str) -> str:
    return f"{model.replace('/', '-')}/{tag}"  # open_clip reads ViT/B-32 as ViT-B-32


def _hub_entry(repo: str, entry: str) -> str:
    return f"{repo.split(':')[0]}/{entry}"  # owner/repo[:branch]


def scan_source(
    source: str, path: str, place: Callable[[int], Location] | None = None
) -> Iterator[Found]:
    """The references and unresolved calls in ``source``; raises SyntaxError if it does not
    parse. ``place`` maps a line of ``source`` to its location (for notebooks)."""
    tree = ast.parse(source, filename=path)
    visitor = _Visitor(tree, path, place or (lambda line: Location(path=path, line=line)))
    visitor.walk(tree)
    yield from visitor.found
