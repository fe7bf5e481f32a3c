"""Pattern recognizers, one small class per way of stating a practice, registered in a registry."""
from .base import Pattern, Recognizer, RecognizerResult
from .registry import Registry, default_registry, register

__all__ = ["Pattern", "Recognizer", "RecognizerResult", "Registry", "default_registry", "register"]
