"""AI training: personal data, content or public posts used to train or improve AI / machine-learning models."""
from __future__ import annotations

import re

from ._words import gap
from .base import Pattern, Recognizer
from .registry import register

_AI = (r"(?:artificial intelligence|\bai\b|a\.i\.|machine[- ]learning|\bml\b|(?:large )?language models?|\bllms?\b"
       r"|generative|neural networks?|foundation models?|(?:ai|ml) models?|models?\b|algorithms?)")
_TRAIN = r"(?:\btrain(?:s|ed|ing)?\b|\bre-?train\w*|fine[- ]?tun\w*)"

# "Xai is a US-based company working on building artificial intelligence tools", "Anthropic is an AI safety and
# research company, building reliable ... AI systems": the company describing itself, which the labelling guide
# (rule 2) gives no label. Only where the sentence says nothing of the reader's data; a purpose in a list of uses
# ("Develop and improve AI at Meta") keeps its reading, its data being the lead-in's.
_DESCRIBES_ITSELF = re.compile(
    r"^\W*[\w.’'&-]+(?:\s[\w.’'&-]+){0,3}\s(?:is|are)\s+(?:an?|the)\s+(?:[\w-]+,?\s+(?:and\s+)?){0,6}?"
    r"(?:company|companies|lab|laboratory|start-?up|organi[sz]ation|firm|business|team)\b")
# ... unless the rest of the sentence says what its AI is made from ("Clearview is a company that builds facial
# recognition AI from billions of photos scraped from social media", "... improves its AI with customer recordings").
# "From" and "with" alone are too common ("a startup with offices in London", "... with a focus on safety"): a data
# noun must follow them within a few words.
_MADE_FROM = re.compile(
    r"\b(?:from|with|on)\s+(?:[\w-]+\s+){0,4}?(?:photos?|images?|pictures?|recordings?|data|content|posts|videos?"
    r"|voices?|text|texts|conversations?|calls?|emails?|messages?|chats?|faces?|uploads?)\b"
    r"|\b(?:trains?|trained|training|fed|feeds?|learns?|learned|learnt)\b")
_READERS_DATA = frozenset([
    "use", "uses", "used", "using", "data", "information", "info", "content", "posts", "conversations", "chats",
    "prompts", "inputs", "feedback", "interactions", "messages", "personal", "your", "you", "users", "user",
    "customers", "collect", "collected", "process", "processed", "processing"])


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

    def analyze(self, sentence, words, relaxed=False):
        results = super().analyze(sentence, words, relaxed)
        if results and results[0].pattern == "improve_ai" and words.isdisjoint(_READERS_DATA):
            described = _DESCRIBES_ITSELF.search(sentence)
            if described and not _MADE_FROM.search(sentence, described.end()):
                return []
        return results
