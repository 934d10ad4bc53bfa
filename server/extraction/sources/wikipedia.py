"""Wikipedia's REST page summary as a source: the article's lead sentence(s) as the description.

The article is the Wikidata item's sitelink in the requested language (English as fallback); the
company site's own description ranks higher, so this fills the gap when a site says nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from server.errors import FetchError
from server.extraction.response_cache import KNOWLEDGE_TTL_SECONDS
from server.extraction.sources import wikidata
from server.extraction.sources import wikidata_api as wd
from server.extraction.sources.base import Finding, Source, SourceContext

SOURCE_NAME = "wikipedia"
SUMMARY_URL = "https://{language}.wikipedia.org/api/rest_v1/page/summary/{title}"
CONFIDENCE = 0.65
EVIDENCE_PATH = "extract"  # where the description stands in the summary document
STANDARD_PAGE = "standard"  # summary ``type``; "disambiguation" pages describe no company


class WikipediaSource(Source):
    """Reads the summary of the company's Wikipedia article."""

    name = SOURCE_NAME
    precedence = 90
    after = frozenset({wikidata.SOURCE_NAME})  # the item's sitelinks
    fields = frozenset({"description"})

    async def collect(self, context: SourceContext) -> list[Finding]:
        entity = context.shared.wikidata_entity
        if not isinstance(entity, dict):
            return []
        for language in dict.fromkeys([context.request.language, wd.FALLBACK_LANGUAGE]):
            title = wd.sitelink_title(entity, language)
            if not title:
                continue
            url = SUMMARY_URL.format(language=language, title=quote(title.replace(" ", "_"), safe=""))
            try:
                summary, page = await context.fetcher.fetch_json(
                    url, source=SOURCE_NAME, cache_seconds=KNOWLEDGE_TTL_SECONDS
                )
            except FetchError:
                return []
            description = description_from_summary(summary)
            if description is None:
                return []
            method = f"REST page summary of {title!r} (extract)"
            return [
                Finding(
                    "description",
                    description,
                    SOURCE_NAME,
                    page.url,
                    page.retrieved_at,
                    method,
                    CONFIDENCE,
                    evidence=EVIDENCE_PATH,
                )
            ]
        return []


def description_from_summary(summary: Any) -> str | None:
    """The ``extract`` of a standard article's summary. Pure."""
    if not isinstance(summary, dict) or summary.get("type") != STANDARD_PAGE:
        return None
    extract = summary.get("extract")
    return extract.strip() if isinstance(extract, str) and extract.strip() else None
