"""Biometric, sensitive, location, and employment/education recognizers."""
from __future__ import annotations

import pytest

from tests.engine._clauses import polarity_of


_LONG_LIST = ("We DO NOT ask for or collect information such as your name, address, phone number, age, gender, racial "
              "or ethnic origin, religious/political affiliation, health information, Social Security Number or other "
              "identifying information, email address, photographs, payment information or biometric information or "
              "precise geolocation data.")


@pytest.mark.parametrize("sentence, practice, polarity", [
    ("Based on your consent, we may collect and use your biometric information for safety, security, and "
     "identification purposes.", "biometric", "concern"),
    ("We use face recognition technology to recognize you in photos.", "biometric", "concern"),
    ("We do not collect biometric identifiers such as faceprints.", "biometric", "protective"),
    ("We collect your fingerprints to verify your identity at the door.", "biometric", "concern"),
    ("We collect device fingerprints for fraud checks and face geometry to verify you.", "biometric", "concern"),
    # a negation over a long list reaches its last items, past the usual scope (a children's site, Coolmath4Kids)
    (_LONG_LIST, "biometric", "protective"),
    (_LONG_LIST, "location", "protective"),
    ("We may process sensitive personal data, such as health information.", "sensitive_data", "concern"),
    ("We do not collect data about your racial or ethnic origin or sexual orientation.", "sensitive_data", "protective"),
    ("We collect your precise location from GPS when you allow it.", "location", "concern"),
    ("None of our apps will ever access any location-based information from your device.", "location", "protective"),
    ("We may collect your employment and education history when you apply.", "employment_education", "concern"),
])
def test_data_types(sentence, practice, polarity):
    assert polarity_of(sentence, practice) == polarity


@pytest.mark.parametrize("sentence, practice", [
    ("We may use device fingerprinting to prevent fraud.", "biometric"),
    # a device's or a browser's "fingerprint" is tracking, not a body's (a reviewer's reading of policies-more)
    ("We will also use digital fingerprint technology to recognise the device you use.", "biometric"),
    ("We collect your browser type or fingerprint, operating system and IP address.", "biometric"),
    ("Your device settings are converted into a unique serial number (the digital \"fingerprint\") and we determine "
     "if it matches previous fingerprints.", "biometric"),
    ("Our servers are located in data centers in Ireland.", "location"),
    ("Location of our offices: Dublin.", "location"),
    ("We protect your information with encryption.", "sensitive_data"),
])
def test_not_this_practice(sentence, practice):
    assert polarity_of(sentence, practice) is None
