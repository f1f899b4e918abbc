"""The version of the uponai-voices distribution."""

__version__ = "0.1.0"
