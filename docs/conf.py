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

# The gallery runs every example in full; the Fashion-MNIST ones only when the
# data are installed (Debian's dataset-fashion-mnist).
try:
    from sklearn_sparsecode.datasets import load_fashion_mnist

    load_fashion_mnist(subset="test", return_X_y=True)
    _ignore = r"__init__\.py"
except FileNotFoundError:
    _ignore = (r"plot_(front_ends_fashion_mnist|frame_initialised_lenet|second_layer_filters)"
               r"\.py")
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


# The API reference lists every public name: the package's ``__all__``, the
# plotting functions and the data sets, generated at each build so nothing is
# left out.
def _write_api_page():
    import dataclasses
    import inspect

    from sklearn_sparsecode import datasets, plotting

    def block(module, names, title, text, template=None):
        lines = [title, "-" * len(title), "", text, "", f".. currentmodule:: {module}", "",
                 ".. autosummary::", "   :toctree: generated/"]
        lines += [f"   :template: {template}", ""] if template else [""]
        return lines + [f"   {name}" for name in sorted(names, key=str.lower)] + [""]

    top = sklearn_sparsecode.__all__
    warnings = [n for n in top if inspect.isclass(getattr(sklearn_sparsecode, n))
                and issubclass(getattr(sklearn_sparsecode, n), BaseException)]
    classes = [n for n in top if inspect.isclass(getattr(sklearn_sparsecode, n))
               and n not in warnings]
    # Named tuples (Band records) and dataclasses (plans): their fields are in the
    # Attributes section, and autosummary cannot import fields without defaults.
    records = [n for n in classes if hasattr(getattr(sklearn_sparsecode, n), "_fields")
               or dataclasses.is_dataclass(getattr(sklearn_sparsecode, n))]
    classes = [n for n in classes if n not in records]
    functions = [n for n in top if n not in classes + records + warnings]
    plots = [n for n, obj in vars(plotting).items()
             if inspect.isfunction(obj) and not n.startswith("_")
             and obj.__module__ == plotting.__name__]
    lines = ["API reference", "=============", "",
             "Every public name of the package. Estimators take keyword arguments.", ""]
    lines += block("sklearn_sparsecode", classes, "Estimators",
                   "Transformers (fixed first layers, thresholds, pooling) and their base.")
    lines += block("sklearn_sparsecode", records, "Records",
                   "The records that describe the output columns of every transform, and plans.",
                   template="record.rst")
    lines += block("sklearn_sparsecode", functions, "Functions",
                   "The functions the estimators wrap, the two-layer model builder and the "
                   "Dask helper.")
    if warnings:
        lines += ["Warnings", "--------", ""]
        for name in warnings:  # their first paragraph, under a plain exception directive
            summary = inspect.getdoc(getattr(sklearn_sparsecode, name)).split("\n\n")[0]
            lines += [f".. py:exception:: sklearn_sparsecode.{name}", ""]
            lines += ["   " + line for line in summary.splitlines()] + [""]
    from sklearn_sparsecode import cnn

    trainable = [n for n in cnn.__all__ if n not in top]
    if trainable:
        lines += block("sklearn_sparsecode.cnn", trainable, "Training the CNN",
                       "The numpy CNN trained whole or layer by layer (exact gradients, SGD "
                       "with momentum or Adam).")
    lines += block("sklearn_sparsecode.plotting", plots, "Plotting",
                   "Pictures of atoms, filters, responses and weights (needs matplotlib).")
    lines += block("sklearn_sparsecode.datasets", datasets.__all__, "Data sets",
                   "Nothing here downloads.")
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


def setup(app):
    app.connect("autodoc-process-docstring", _escape_docstring, priority=600)
