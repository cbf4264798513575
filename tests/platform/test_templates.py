"""Template hygiene that neither djlint nor a page test catches everywhere."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def test_no_template_has_a_multi_line_hash_comment():
    """Django's ``{# … #}`` ends on its own line: left open, the rest of the comment is printed on the page."""
    open_comments = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]

    assert open_comments == [], "commentaires {# … #} sur plusieurs lignes : utilisez {% comment %}"
