"""
A namespaced include whose URLconf is imported when first used, not when the site's URLconf loads,
and a view imported at its first request.

Django's ``include()`` imports the module at once, and the root resolver populates every include on
the first ``reverse()``. For the content API that would load Django REST framework and drf-spectacular
(about 7 MiB) into every worker, though only requests under /api/ use them. ``lazy_include`` leaves
the module alone until a request's path falls under its prefix or something reverses a name in its
namespace. (It relies on URLResolver's populate step; tests/test_worker_memory.py holds it.)
"""

import functools

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from django.utils.module_loading import import_string


class LazyURLResolver(URLResolver):
    def _imported(self):
        return "urlconf_module" in self.__dict__  # URLResolver.urlconf_module is a cached_property

    def _populate(self):
        # The root resolver populates each include while building its own reverse lookups; a
        # namespaced include needs only its namespace there, so its own lookups wait for its import.
        if self._imported():
            super()._populate()

    @property
    def reverse_dict(self):
        self.urlconf_module  # noqa: B018 (imported here, at the first reverse into this namespace)
        return super().reverse_dict

    @property
    def namespace_dict(self):
        self.urlconf_module  # noqa: B018
        return super().namespace_dict

    @property
    def app_dict(self):
        self.urlconf_module  # noqa: B018
        return super().app_dict


def lazy_include(route, module, *, namespace):
    """Like ``path(route, include(module))`` for a module with ``app_name = namespace``, imported on first use."""
    return LazyURLResolver(RoutePattern(route), module, app_name=namespace, namespace=namespace)


def lazy_view(dotted_path):
    """Return a view that imports ``module.view`` at its first request, for views whose libraries
    (Pillow and Python-Markdown for the editor's endpoints) a worker serving the public never needs.

    Only for views that carry no attributes middleware reads (``csrf_exempt`` and the like): the
    stand-in cannot know them before the import.
    """
    load = functools.cache(lambda: import_string(dotted_path))

    def view(request, *args, **kwargs):
        return load()(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = dotted_path.rpartition(".")[2]
    return view
