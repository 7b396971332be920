"""Read the parsed HTML of a response (django.test.html) the way a person reads the page."""

from django.test.html import Element


def elements(node, name):
    """Yield every element called ``name`` inside ``node``, depth first."""
    for child in node.children:
        if isinstance(child, Element):
            if child.name == name:
                yield child
            yield from elements(child, name)


def text_of(node):
    """Return the visible text of ``node``, with whitespace folded."""
    words = (child if isinstance(child, str) else text_of(child) for child in node.children)
    return " ".join(" ".join(words).split())
