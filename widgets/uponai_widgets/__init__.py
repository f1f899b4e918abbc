"""Hand-written cloning layer and Jupyter widgets on top of the generated `uponai_client`."""

from ._version import __version__

__all__ = ["__version__"]
