"""Pages in more than one language: the English part of a bilingual policy is read and the rest is named as unread,
whichever comes first; a page in another language is still not read, and short foreign fragments change nothing."""
from __future__ import annotations

import pytest

from smallprint import analyze
from smallprint.cli.text_view import render_text
from smallprint.report import render_analysis_html

FRENCH = """# Politique de confidentialité

Nous recueillons les renseignements personnels que vous nous fournissez lorsque vous créez un compte, notamment \
votre nom, votre adresse courriel et votre numéro de téléphone.

Nous communiquons vos renseignements personnels à nos partenaires publicitaires afin qu'ils puissent vous présenter \
des annonces adaptées à vos intérêts sur d'autres sites.

Nous utilisons des témoins (cookies) et des technologies semblables pour suivre votre navigation sur notre site et \
sur les sites de nos partenaires.

Vous pouvez en tout temps demander l'accès à vos renseignements personnels, leur rectification ou leur suppression \
en nous écrivant à l'adresse indiquée ci-dessous.

Nous conservons vos renseignements aussi longtemps que votre compte est actif, puis nous les supprimons dans un \
délai de quatre-vingt-dix jours.

Nous pouvons modifier la présente politique de temps à autre; la date de la dernière mise à jour figure au bas de \
cette page.
"""

ENGLISH = """# Privacy Policy

We collect the personal information you give us when you create an account, including your name, your email \
address and your phone number.

We share your personal information with our advertising partners so that they can show you ads tailored to your \
interests on other websites.

We use cookies and similar technologies to track your browsing on our site and on the sites of our partners.

You can at any time ask us for access to your personal information, its correction or its deletion by writing to \
us at the address below.

We keep your information for as long as your account is active, and then we delete it within ninety days.

We may change this policy from time to time; the date of the last update is at the bottom of this page.
"""

BANNER = ("We use cookies to improve your experience on our site. By clicking Accept, you agree to our use of cookies "
          "for analytics and advertising. You can change your settings at any time.")


def _readings(analysis) -> list[tuple[str, str, str]]:
    """The highlights as (text, practice, polarity): what was read, wherever its block is on the page."""
    return sorted((h.text, h.practice, h.polarity) for h in analysis.highlights)


@pytest.mark.parametrize("depth", ["full", "quick"])
@pytest.mark.parametrize("french_first", [True, False], ids=["french-then-english", "english-then-french"])
def test_the_english_part_of_a_bilingual_policy_is_read_and_the_rest_named(depth, french_first):
    page = FRENCH + "\n" + ENGLISH if french_first else ENGLISH + "\n" + FRENCH
    english_alone = analyze(text=ENGLISH, depth=depth)
    analysis = analyze(text=page, depth=depth)
    assert analysis.language == "en" and analysis.depth == depth
    assert analysis.highlights and _readings(analysis) == _readings(english_alone)
    by_id = {b.id: b for b in analysis.blocks}
    french_ids = [b.id for b in analysis.blocks if b.text in FRENCH]
    assert [(p.language, p.first_block, p.last_block) for p in analysis.unread_parts] == \
        [("fr", french_ids[0], french_ids[-1])]
    assert analysis.unread_parts[0].chars == sum(len(by_id[i].text) for i in french_ids)
    assert not {h.block for h in analysis.highlights} & set(french_ids)
    assert {s.block: s.categories for s in analysis.segments}[french_ids[1]] == ()
    assert len(analysis.notices) == 1 and "(fr)" in analysis.notices[0] and "not read" in analysis.notices[0]
    assert analysis.grade.letter == english_alone.grade.letter
    data = analysis.to_dict()
    assert data["unread_parts"] == [p.to_dict() for p in analysis.unread_parts]
    assert data["unread_parts"][0]["language"] == "fr"


@pytest.mark.parametrize("depth", ["full", "quick"])
@pytest.mark.parametrize("page", [BANNER + "\n\n" + FRENCH, FRENCH + "\n\n" + BANNER],
                         ids=["banner-first", "banner-last"])
def test_a_french_page_with_an_english_cookie_banner_is_still_not_read(depth, page):
    analysis = analyze(text=page, depth=depth, as_policy=True)
    assert analysis.language == "fr"
    assert analysis.highlights == () and analysis.unread_parts == ()
    assert analysis.grade.letter is None and "(fr)" in analysis.grade.withheld
    assert len(analysis.notices) == 1 and "no highlights" in analysis.notices[0]


@pytest.mark.parametrize("extra", [
    "English | Français | Deutsch | Español | Italiano | Nederlands | Português | Polski | 日本語 | 한국어\n\n",
    "[Français](/fr/politique) · [Deutsch](/de/datenschutz) · [Español](/es/privacidad)\n\n",
], ids=["language-switcher", "language-links"])
def test_a_language_switcher_changes_nothing(extra):
    address = ("\n\nSiège social : 1000, rue De La Gauchetière Ouest, bureau 2500, Montréal (Québec) H3B 0A2, "
               "Canada\n\n[Version française](/fr)\n")
    plain = analyze(text=ENGLISH)
    analysis = analyze(text=extra + ENGLISH + address)
    assert analysis.language == "en" and analysis.unread_parts == () and analysis.notices == ()
    assert _readings(analysis) == _readings(plain)
    assert analysis.grade.letter == plain.grade.letter


def test_the_terminal_and_the_html_report_say_what_was_not_read():
    analysis = analyze(text=FRENCH + "\n" + ENGLISH, depth="quick")
    text = " ".join(render_text(analysis, width=200).split())
    assert "language en" in text and "Note: Part of this page (" in text and "was not read" in text
    assert "was not read" in render_analysis_html(analysis)
