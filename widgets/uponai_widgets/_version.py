"""The version of the uponai-voices distribution."""

__version__ = "0.2.0"
