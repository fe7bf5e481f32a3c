"""The practice taxonomy: the contract between engine, API, extension and data.

Mirrors ../shared/docs/taxonomy.md. Ids are stable: never rename one without a migration.
"""
from __future__ import annotations

from dataclasses import dataclass

POLARITIES = ("concern", "protective", "neutral")
KINDS = ("privacy_policy", "cookie_policy", "terms_of_service", "other")
# Kinds on which the extension paints highlights automatically.
POLICY_KINDS = frozenset({"privacy_policy", "cookie_policy", "terms_of_service"})

OPP115_CATEGORIES = (
    "First Party Collection/Use",
    "Third Party Sharing/Collection",
    "User Choice/Control",
    "User Access, Edit and Deletion",
    "Data Retention",
    "Data Security",
    "Policy Change",
    "Do Not Track",
    "International and Specific Audiences",
    "Other",
)


@dataclass(frozen=True, slots=True)
class Practice:
    id: str
    label: str
    covers: str
    concern: str  # what a concern-polarity clause means for the reader
    protective: str  # what a protective-polarity clause means ("" where none is typical)


PRACTICES: tuple[Practice, ...] = (
    Practice("ai_training", "AI training",
             "personal data, content or public posts used to train, fine-tune or improve AI / machine-learning models",
             "May use your data or content to train AI models", "Says it does not use your data to train AI models"),
    Practice("biometric", "Biometric data",
             "face geometry, voice prints, fingerprints, iris, faceprints, biometric identifiers",
             "May collect or use biometric data (face, voice, fingerprints)", "Limits use of biometric data"),
    Practice("sensitive_data", "Sensitive data",
             "health, racial or ethnic origin, religion, sexual orientation, political opinions, union membership, genetic data",
             "May process sensitive data (health, beliefs, orientation and the like)",
             "Limits use of sensitive data or lets you limit it"),
    Practice("location", "Location",
             "precise (GPS, Wi-Fi) or approximate (IP-derived) location",
             "Collects your location", "Limits or does not collect your location"),
    Practice("employment_education", "Employment and education",
             "employment history, education history, job-search activity",
             "May collect your employment or education history", ""),
    Practice("sale_of_data", "Sale of data",
             "selling personal data (incl. CCPA/CPRA \"sale\" and \"share\")",
             "May sell or \"share\" your personal data", "Promises not to sell your personal data"),
    Practice("third_party_sharing", "Sharing with third parties",
             "disclosure to partners, affiliates, service providers, other users' apps",
             "Shares your data with others", "Limits sharing of your data with others"),
    Practice("advertising", "Advertising",
             "targeted / behavioural / personalised ads, marketing, ad measurement",
             "Uses your data for targeted ads or marketing", "Limits use of your data for ads or lets you opt out"),
    Practice("tracking", "Tracking",
             "cookies, pixels, web beacons, SDKs, fingerprinting, cross-site tracking, Do Not Track",
             "Tracks you with cookies, pixels or similar tools", "Limits tracking or lets you control it"),
    Practice("third_party_sources", "Data from other sources",
             "data obtained about the reader from third parties, data brokers, or public sources (scraping)",
             "Gets data about you from other companies or public sources", ""),
    Practice("private_content", "Private content",
             "access to private messages, DMs, private files",
             "May access your private messages or files", "Says it does not read your private messages"),
    Practice("profiling", "Profiling",
             "profiling, inferences, combining data across products, automated decision-making",
             "Builds a profile of you or combines your data across services", "Limits profiling or automated decisions"),
    Practice("retention", "Retention",
             "how long data is kept, keeping data after deletion",
             "May keep your data for a long time or after you delete it", "Limits how long it keeps your data"),
    Practice("user_rights", "Your rights",
             "access, correction, deletion, export / portability, complaint to an authority",
             "Limits your rights over your data", "You can access, correct, delete or export your data"),
    Practice("user_choice", "Your choices",
             "opt-out, consent, settings that limit use (ads, sharing, AI training, marketing)",
             "Limits your choices about your data", "You can opt out or change settings"),
    Practice("children", "Children",
             "children's data, age limits, parental consent",
             "May collect data from children", "Protects children's data or keeps children out"),
    Practice("government_access", "Government access",
             "disclosure to law enforcement or governments",
             "May give your data to governments or police", "Tells you about government requests or resists them"),
    Practice("international_transfer", "International transfer",
             "transfer or storage in other countries",
             "Your data may be moved to other countries", "Keeps your data in your region or protects transfers"),
    Practice("security", "Security",
             "security measures, encryption, breach notification",
             "Does not guarantee the security of your data", "Protects your data with security measures"),
    Practice("policy_change", "Policy changes",
             "how the policy may change and whether users are told",
             "May change this policy without telling you", "Promises to tell you about policy changes"),
    Practice("business_transfer", "Business transfer",
             "data passed on in a merger, acquisition or bankruptcy",
             "Your data may be sold along with the company", "A buyer must keep this policy's promises"),
)

PRACTICE_BY_ID: dict[str, Practice] = {p.id: p for p in PRACTICES}
PRACTICE_IDS: tuple[str, ...] = tuple(PRACTICE_BY_ID)


def taxonomy_document() -> dict:
    """The taxonomy as JSON-ready data (served by GET /v1/taxonomy)."""
    return {
        "polarities": list(POLARITIES),
        "kinds": list(KINDS),
        "opp115_categories": list(OPP115_CATEGORIES),
        "practices": [
            {"id": p.id, "label": p.label, "covers": p.covers,
             "polarity_meaning": {"concern": p.concern, "protective": p.protective, "neutral": "Informative only"}}
            for p in PRACTICES
        ],
    }
