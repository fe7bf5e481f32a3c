"""The smallprint engine: pure Python, no server needed."""
from .results import Analysis, Block, Grade, Highlight, PracticeFinding, SegmentLabels
from .pipeline import analyze

__all__ = ["analyze", "Analysis", "Block", "Grade", "Highlight", "PracticeFinding", "SegmentLabels"]
