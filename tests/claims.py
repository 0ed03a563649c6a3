"""Checked claims: every number a page states that comes from computation.

A topic's test file lists its claims and turns them into tests::

    from tests.claims import Claim, claims_test

    CLAIMS = [
        Claim("training/dropout.md", lambda: 1 / (1 - 0.4), "{:.3f}",
              en="With \\(p = 0.4\\) the factor is 1.667",
              zh="\\(p = 0.4\\) 时因子为 1.667"),
    ]
    test_claims = claims_test(CLAIMS)

The test recomputes ``value()``, formats it with ``fmt`` and checks that the
result appears in both sentences, and that each sentence appears verbatim in its
page (``docs/en/<page>`` and ``docs/zh/<page>``). Change the code or the prose
and the claim fails until both agree again.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@dataclass(frozen=True)
class Claim:
    page: str
    value: Callable[[], object]
    fmt: str
    en: str
    zh: str

    def id(self) -> str:
        return f"{self.page}:{self.en[:40]}"


def check_claim(claim: Claim) -> None:
    text = claim.fmt.format(claim.value())
    for lang, sentence in (("en", claim.en), ("zh", claim.zh)):
        assert text in sentence, f"{lang}: computed {text!r} is not in the claimed text {sentence!r}"
        page = (DOCS / lang / claim.page).read_text(encoding="utf-8")
        assert sentence in page, f"{lang}: the sentence {sentence!r} is not on docs/{lang}/{claim.page}"


def claims_test(claims: list[Claim]):
    """Return a parametrised pytest function checking ``claims``."""
    if not claims:
        raise ValueError("claims_test needs at least one claim")

    @pytest.mark.parametrize("claim", claims, ids=[c.id() for c in claims])
    def test_claim(claim):
        check_claim(claim)

    return test_claim
