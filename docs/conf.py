"""Sphinx configuration: numpydoc API reference, sphinx-gallery examples, built offline.

Build (warnings are errors): ``sphinx-build -W -b html docs docs/_build/html``.
"""

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # import the package from the source tree

import sklearn_sparsecode  # noqa: E402

project = "sklearn-sparsecode"
author = "sklearn-sparsecode developers"
copyright = "2026, sklearn-sparsecode developers"
release = version = sklearn_sparsecode.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # copies MathJax into _static: formulas render offline
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]
# Offline: no intersphinx inventories to download.
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "auto_examples/*.json"]
templates_path = ["_templates"]
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections say it
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
plot_include_source = True

# The gallery runs every example in full; the Fashion-MNIST one only when the
# data are installed (Debian's dataset-fashion-mnist).
try:
    from sklearn_sparsecode.datasets import load_fashion_mnist

    load_fashion_mnist(subset="test", return_X_y=True)
    _ignore = r"__init__\.py"
except FileNotFoundError:
    _ignore = r"plot_front_ends_fashion_mnist\.py"
# The texture synthesis example reads a scikit-image picture (an optional dependency).
try:
    import skimage  # noqa: F401
except ImportError:
    _ignore += r"|plot_texture_synthesis\.py"
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": _ignore,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reference_url": {"sklearn_sparsecode": None},
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}
os.environ.setdefault("MPLBACKEND", "Agg")
# The examples' fits are small: one BLAS thread is faster than two (and much
# faster when other jobs share the cores).
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(limits=1, user_api="blas")

html_theme = "pydata_sphinx_theme"
html_title = "sklearn-sparsecode"
html_theme_options = {"navigation_with_keys": False, "show_prev_next": False,
                      "secondary_sidebar_items": ["page-toc"]}
html_static_path = []


# The API reference lists every public name: the package's ``__all__`` and
# each public submodule's ``__all__``, generated at each build so nothing is
# left out.
PUBLIC_SUBMODULES = [
    ("wavelets", "Wavelets"), ("curvelets", "Curvelets"), ("contourlets", "Contourlets"),
    ("morlet", "Morlet filter banks"), ("scattering", "Scattering"), ("cnn", "CNN"),
    ("layers", "Layers: thresholds and pooling"), ("restoration", "Restoration"),
    ("inspection", "Inspection: gradients and visualisation"), ("plotting", "Plotting"),
    ("dask", "Dask"), ("datasets", "Data sets"),
]


def _write_api_page():
    import dataclasses
    import importlib
    import inspect

    def kind(obj):
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            return "warning"
        if inspect.isclass(obj) and (hasattr(obj, "_fields") or dataclasses.is_dataclass(obj)):
            return "record"  # Band records and plans: fields in the Attributes section
        return "class" if inspect.isclass(obj) else "function"

    def block(module, names, title, text):
        lines = [title, "-" * len(title), "", text, "", f".. currentmodule:: {module}", ""]
        for group, template in (("class", None), ("record", "record.rst"), ("function", None)):
            chosen = [n for n in names if kind(getattr(importlib.import_module(module), n)) == group]
            if not chosen:
                continue
            lines += [".. autosummary::", "   :toctree: generated/"]
            lines += [f"   :template: {template}"] if template else []
            lines += [""] + [f"   {n}" for n in sorted(chosen, key=str.lower)] + [""]
        for name in names:
            obj = getattr(importlib.import_module(module), name)
            if kind(obj) == "warning":  # their first paragraph, under a plain exception directive
                summary = inspect.getdoc(obj).split("\n\n")[0]
                lines += [f".. py:exception:: {module}.{name}", ""]
                lines += ["   " + line for line in summary.splitlines()] + [""]
        return lines

    lines = ["API reference", "=============", "",
             "The top level holds the estimators, the :class:`Band` record, the base class and "
             "the model builder; the functions behind the estimators live in one public "
             "submodule per family. Estimators take keyword arguments only.", ""]
    lines += block("sklearn_sparsecode", sklearn_sparsecode.__all__, "Top level",
                   "Estimators (fixed first layers, thresholds, pooling, denoising), records, "
                   "the base of every transform and the two-layer model builder.")
    for name, title in PUBLIC_SUBMODULES:
        try:
            module = importlib.import_module(f"sklearn_sparsecode.{name}")
        except ImportError:
            continue
        summary = inspect.getdoc(module).split("\n\n")[0]
        # A family's estimator is re-exported at the top level and documented there once.
        names = [n for n in module.__all__ if n not in sklearn_sparsecode.__all__]
        lines += block(module.__name__, names, f"{title}: ``{module.__name__}``", summary)
    text = "\n".join(lines)
    path = HERE / "api.rst"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


_write_api_page()


# Docstrings are written to read well in a terminal (``help()``): |x| means an
# absolute value, not an RST substitution, and ``name_`` is an attribute, not
# a link target. Escape those outside literals and roles before rendering.
_VERBATIM = re.compile(r"(``.+?``|:\w+:`[^`]*`|`[^`]*`)")
_TRAILING_UNDERSCORE = re.compile(r"\b(\w+)_(?=[\s).,;:]|$)")
_NO_END = re.compile(r"[^\s\\.,;:!?)\]'\"/-]")
_STAR = re.compile(r"(?<![\w*\\])\*(?=\w)")


def _escape_unclosed_stars(text):
    """``(n, *shape)`` is unpacking, not the start of *emphasis*: escape a lone star."""
    out, last = [], 0
    for match in _STAR.finditer(text):
        if not re.search(r"\w\*", text[match.end():]):
            out.append(text[last:match.start()] + "\\*")
            last = match.end()
    return "".join(out) + text[last:]


def _escape_docstring(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("+-", "+=", "|")) or stripped.startswith(".."):
            continue  # tables and directives
        parts = _VERBATIM.split(line)
        for k in range(0, len(parts), 2):
            text = parts[k].replace("|", r"\|")
            parts[k] = _escape_unclosed_stars(_TRAILING_UNDERSCORE.sub(r"\1\\_", text))
            if k > 0 and parts[k - 1].startswith("``") and _NO_END.match(parts[k][:1]):
                parts[k] = "\\ " + parts[k]  # ``literal``² needs an escaped space
        lines[i] = "".join(parts)


_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_sklearn_roles(app, what, name, obj, options, lines):
    """Methods a classifier inherits from scikit-learn (``score``, ``set_*_request``) cite
    labels and glossary terms of scikit-learn's own docs: keep their words, drop the links."""
    module = getattr(obj, "__module__", None) or ""
    if module == "sklearn" or module.startswith("sklearn."):
        lines[:] = [_SKLEARN_ROLE.sub(r"\1", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_roles, priority=500)
    app.connect("autodoc-process-docstring", _escape_docstring, priority=600)
