"""smallprint: what privacy policies really say, read on your own machine."""
__version__ = "0.1.0"
__all__ = ["analyze", "Analysis", "__version__"]


def __getattr__(name: str):
    # The engine is imported on first use (PEP 562), so the daemon's main process, whose analyses run in
    # worker processes, and light commands such as `smallprint status` start fast and stay small.
    if name in ("analyze", "Analysis"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'smallprint' has no attribute {name!r}")
