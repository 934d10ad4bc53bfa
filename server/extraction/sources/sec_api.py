"""What the SEC sources share: EDGAR's addresses, and what one source leaves for the next.

The SEC's fair-access rules allow at most ten requests per second from a client, whatever host of
``sec.gov`` it asks (www, data, efts) and whichever source asks. The fetcher's politeness keeps that
limit (``settings.host_rules["sec.gov"]``, one budget for every host under the domain, for the whole
deployment when politeness is shared), so the sources simply fetch. The User-Agent the SEC asks for
(descriptive, with a contact) is ``settings.user_agent``, sent by the fetcher on every request.

Sources also learn from each other here: ``sec_edgar`` leaves the CIK and submissions it read for the
company in ``SourceContext.shared`` (``sec_cik``, ``sec_submissions``), so that a later SEC
source does not find or fetch them again.
"""

from __future__ import annotations

SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik:010d}.json"
SUBMISSIONS_MAX_BYTES = 16_000_000  # a few MB for a long-lived filer; far above the HTML page cap
