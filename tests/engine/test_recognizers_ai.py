"""AI training recognizer: concern when data trains models, protective when the clause says it does not."""
from __future__ import annotations

import pytest

from tests.engine._clauses import polarity_of


@pytest.mark.parametrize("sentence, polarity", [
    ("We may use the information we collect and publicly available information to help train our machine learning "
     "or artificial intelligence models.", "concern"),
    ("Zoom does not use any of your audio, video, chat, screen sharing, attachments or other communications-like "
     "Customer Content (such as poll results, whiteboard and reactions) to train Zoom’s or third-party artificial "
     "intelligence models.", "protective"),
    ("Your posts may be used to fine-tune our large language models.", "concern"),
    ("We never use customer data to train our models.", "protective"),
    ("Our AI models are trained on public posts and licensed data.", "concern"),
    ("We use your conversations to improve our AI features.", "concern"),
    ("We use what you post to build AI features.", "concern"),
    # a company describing itself, and what its AI is made from: the reader's data, in words of its own
    ("Acme is a company that builds AI tools from the photos people upload to our service.", "concern"),
    ("Clearview is a company that builds facial recognition AI from billions of photos scraped from social media.",
     "concern"),
    ("Acme is an AI company that improves its AI with customer recordings.", "concern"),
])
def test_ai_training(sentence, polarity):
    assert polarity_of(sentence, "ai_training") == polarity


@pytest.mark.parametrize("sentence", [
    "Our employees receive regular privacy training.",
    "We offer training courses for new customers.",
    "Contact us at privacy@example.com.",
    # a description of the company, with nothing about the reader's data (labelling guide, rule 2)
    "xAI is a US-based company working on building artificial intelligence tools.",
    "Acme is a research lab dedicated to developing safe and beneficial AI systems.",
    # "with" and "from" in a description, not what its AI is made of (a review's cases, 2026-12-07)
    "Anthropic is an AI safety and research company building reliable AI systems with a focus on safety.",
    "Acme is a startup with offices in London that develops AI products.",
])
def test_not_ai_training(sentence):
    assert polarity_of(sentence, "ai_training") is None
