"""Policy memory: remember each version of the policies a person reads, and say what changed.

normalise (formatting-free text and its hash), sites (registrable domain + path), store (SQLite),
diff (clause alignment and the plain-language headline), api (the daemon's routes and recorder hook).
"""
from .diff import ClauseChange, PolicyDiff, diff_analyses
from .store import HistoryUnavailable, Store, StoreTooNew

__all__ = ["ClauseChange", "PolicyDiff", "diff_analyses", "HistoryUnavailable", "Store", "StoreTooNew"]
