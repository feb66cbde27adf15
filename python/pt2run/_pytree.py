"""The call's pytree specs as torch.export records them (torch's treespec JSON, protocol 1):
flatten a call's (args, kwargs) into the model's flat inputs, and rebuild its outputs."""
import collections
import json

LEAF = None


class Spec:
    """One node: its type name ("builtins.tuple", ..., None for a leaf), context, children."""

    __slots__ = ("type", "context", "children")

    def __init__(self, node):
        self.type = node["type"]
        raw = node.get("context")
        self.context = json.loads(raw) if isinstance(raw, str) else raw
        self.children = [Spec(c) for c in node["children_spec"]]

    def leaves(self):
        return 1 if self.type is LEAF else sum(c.leaves() for c in self.children)


def parse(text):
    """A spec from its JSON (what get_call_spec() returns); None for an empty string, or for
    one this reader cannot follow (another protocol, a malformed package): then only the flat
    Model.run takes the model's inputs."""
    if not text:
        return None
    try:
        protocol, node = json.loads(text)
        return Spec(node) if protocol == 1 else None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _keys(spec):
    context = spec.context
    if spec.type == "collections.defaultdict":
        context = context["dict_context"]
    return list(context or [])


def flatten(value, spec, path, out):
    """Appends value's leaves in spec's order; raises TypeError naming the path that differs."""
    kind = spec.type
    if kind is LEAF:
        out.append(value)
        return
    if kind in ("builtins.tuple", "builtins.list", "collections.namedtuple", "torch.Size"):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec.children):
            raise TypeError(f"{path or 'the call'} must be a sequence of {len(spec.children)}, "
                            f"got {_describe(value)}")
        for i, (item, child) in enumerate(zip(value, spec.children)):
            flatten(item, child, f"{path}[{i}]", out)
        return
    if kind in ("builtins.dict", "collections.OrderedDict", "collections.defaultdict"):
        keys = _keys(spec)
        if not isinstance(value, dict) or set(value) != set(keys):
            got = sorted(map(repr, value)) if isinstance(value, dict) else _describe(value)
            raise TypeError(f"{path or 'the call'} must be a dict with keys {keys}, got {got}")
        for key, child in zip(keys, spec.children):
            flatten(value[key], child, f"{path}[{key!r}]", out)
        return
    if kind == "builtins.NoneType":
        if value is not None:
            raise TypeError(f"{path} must be None, got {_describe(value)}")
        return
    raise TypeError(f"{path or 'the call'}: the package's call spec has a node of type {kind}, "
                    "which pt2run's Python API does not build; pass the flat inputs to Model.run")


def unflatten(leaves, spec):
    """The structure spec describes, filled with leaves in order."""
    it = iter(leaves)

    def build(node):
        kind = node.type
        if kind is LEAF:
            return next(it)
        if kind == "builtins.NoneType":
            return None
        children = [build(c) for c in node.children]
        if kind == "builtins.list":
            return children
        if kind in ("builtins.dict", "collections.defaultdict"):
            return dict(zip(_keys(node), children))
        if kind == "collections.OrderedDict":
            return collections.OrderedDict(zip(_keys(node), children))
        return tuple(children)  # tuples, namedtuples (as plain tuples) and unknown sequences

    return build(spec)


def _describe(value):
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"
