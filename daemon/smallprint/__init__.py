"""smallprint: what privacy policies really say, read on your own machine."""
from .engine import Analysis, analyze

__version__ = "0.1.0"
__all__ = ["analyze", "Analysis", "__version__"]
