"""Advertising, tracking (incl. Do Not Track and cookie-blocking notes) and profiling."""
from __future__ import annotations

import pytest

from tests.engine._clauses import polarity_of


@pytest.mark.parametrize("sentence, practice, polarity", [
    ("We use your activity to show you personalized ads.", "advertising", "concern"),
    ("We may use your personal information for marketing purposes.", "advertising", "concern"),
    ("We use tracking pixels and web beacons in our emails.", "tracking", "concern"),
    ("We do not respond to Do Not Track signals.", "tracking", "concern"),
    ("We honor Do Not Track signals sent by your browser.", "tracking", "protective"),
    ("Our website ignores DNT requests.", "tracking", "concern"),
    ("We do not recognize automated browser signals regarding tracking mechanisms, which may include "
     "'do not track' instructions.", "tracking", "concern"),
    ("Some browsers offer a Do Not Track setting.", "tracking", "neutral"),
    ("If you have Do Not Track enabled in your browser, we do not collect any analytics data.", "tracking", "protective"),
    ("Enable the Do Not Track setting in your browser and we won't count your visit.", "tracking", "protective"),
    ("If you disable cookies, some features of the site may not work properly.", "tracking", "neutral"),
    ("If you don't accept cookies, you may not be able to use all features of the site.", "tracking", "neutral"),
    ("Some areas may not work if you decide not to accept cookies.", "tracking", "neutral"),
    ("Cookies are not the only way to track visitors to a website.", "tracking", "concern"),
    ("California law requires us to tell you how we respond to Do Not Track signals.", "tracking", "neutral"),
    # identifiers that follow a device around, and where a visit came from
    ("We collect device identifiers, including IDFA and advertising IDs.", "tracking", "concern"),
    ("We record the URL of the last webpage you visited before visiting the site.", "tracking", "concern"),
    ("We note the websites that referred you to our services.", "tracking", "concern"),
    ("Your IP address is anonymized at all times.", "tracking", "protective"),
    ("Our server does not collect or store IP addresses.", "tracking", "protective"),
    ("We use strictly necessary cookies to keep you logged in.", "tracking", "neutral"),
    ("We do not use any third-party analytics or tracking cookies.", "tracking", "protective"),
    ("We combine information across our products to build a profile of your interests.", "profiling", "concern"),
    ("We do not engage in automated decision-making.", "profiling", "protective"),
    ("We link the data you give us with information from our other apps.", "profiling", "concern"),
    ("We may combine what you tell us with data we get from other companies.", "profiling", "concern"),
    # "do not track" as a verb phrase is a promise, not the browser signal
    ("We do not track visitors of this blog from one page to the next.", "tracking", "protective"),
    ("Our shop does not track you, and we do not track anyone across other sites.", "tracking", "protective"),
    ("This app is free of trackers and analytics tools.", "tracking", "protective"),
    ("The download is free of charge and the installer contains tracking pixels.", "tracking", "concern"),
    # cookies that identify nobody, or vanish at the end of a visit
    ("The session cookie holds no personal details and is thrown away once you close the tab.", "tracking",
     "protective"),
    ("Our language cookie is erased after your visit ends.", "tracking", "protective"),
])
def test_ads_tracking(sentence, practice, polarity):
    assert polarity_of(sentence, practice) == polarity


@pytest.mark.parametrize("sentence, practice", [
    ("Our advertising cookies track you across websites.", "advertising"),  # read as tracking, not twice
    ("You can update your profile picture at any time.", "profiling"),
    ("We sell advertising space to businesses.", "tracking"),
    ("The app reads your device model and its advertising ID.", "advertising"),  # an identifier: tracking
])
def test_not_this_practice(sentence, practice):
    assert polarity_of(sentence, practice) is None
