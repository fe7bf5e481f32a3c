"""AI training: personal data, content or public posts used to train or improve AI / machine-learning models."""
from __future__ import annotations

from ._words import gap
from .base import Pattern, Recognizer
from .registry import register

_AI = (r"(?:artificial intelligence|\bai\b|a\.i\.|machine[- ]learning|\bml\b|(?:large )?language models?|\bllms?\b"
       r"|generative|neural networks?|foundation models?|(?:ai|ml) models?|models?\b|algorithms?)")
_TRAIN = r"(?:\btrain(?:s|ed|ing)?\b|\bre-?train\w*|fine[- ]?tun\w*)"


@register
class AiTrainingRecognizer(Recognizer):
    practice = "ai_training"
    cues = ("train", "trains", "trained", "training", "retrain", "finetune", "fine", "ai", "artificial",
            "intelligence", "machine", "learning", "ml", "model", "models", "llm", "llms", "generative", "neural")
    patterns = (
        # "use the information ... to help train our machine learning or artificial intelligence models"
        Pattern("train_models", _TRAIN + gap(10) + _AI, "concern", "protective", 0.9),
        # "our models are trained on / learn from your content"
        Pattern("models_trained_on", r"(?:artificial intelligence|\bai\b|machine[- ]learning|\bml\b|models?|\bllms?\b)"
                + gap(6) + r"(?:are |is |be |been )?(?:trained|learn(?:s|ed)? from)\b", "concern", "protective", 0.85),
        # "to develop and improve our AI / machine learning technology"
        Pattern("improve_ai", r"\b(?:develop|improv|build|enhanc|creat|power)\w*" + gap(5)
                + r"(?:artificial intelligence|\bai\b|machine[- ]learning|\bml\b|generative ai|\bllms?\b"
                  r"|(?:large )?language models?|(?:ai|ml) (?:models?|systems?|features?|technolog\w+))",
                "concern", "protective", 0.75),
        Pattern("training_data", r"\btraining data\b|\b(?:data|content|information)" + gap(4)
                + r"(?:for|in) (?:\w+ )?(?:ai|machine[- ]learning|model) training", "concern", "protective", 0.8),
    )
    context = ("content", "posts", "data", "information", "conversations", "prompts", "inputs", "publicly")
    # "training" of staff, and training courses, are not AI training.
    exclude = r"\b(?:employees?|staff|personnel) (?:are |receive |undergo )?(?:\w+ )?training|training (?:courses?|sessions?|programs?)"
