"""The package version (read by pyproject.toml and recorded in every index manifest)."""
__version__ = "0.1.0"
