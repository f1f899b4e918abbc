"""The widgets' front-end code: real `.js` / `.css` files next to this module, read at import.

anywidget sends a widget's ``_esm`` to the browser as one text and cannot resolve relative
imports between our files, so a part shared by several widgets (``chunk_sender.js``,
``transfer_list.js``) is joined into each widget's module here: `es_module` concatenates the
named parts and appends the default export. The files ship in the wheel as package data.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["SHARED_PARTS", "es_module", "read_part", "stylesheet"]

#: The browser half of the chunk protocol and the per-file transfer list, shared by the
#: picker and the recorder (each gets its own copy joined into its module).
SHARED_PARTS = ("chunk_sender.js", "transfer_list.js")


def read_part(name: str) -> str:
    """The text of one front-end file of this package (``picker.js``, ``picker.css``...)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def es_module(*names: str, export: str = "render") -> str:
    """An ES module made of the named parts; its default export is ``{ <export> }``."""
    parts = [f"// ---- {name}\n{read_part(name)}" for name in names]
    return "\n".join((*parts, f"export default {{ {export} }};\n"))


def stylesheet(*names: str) -> str:
    """The named ``.css`` files joined into one stylesheet."""
    return "\n".join(read_part(name) for name in names)
