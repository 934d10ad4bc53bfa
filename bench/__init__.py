"""``make bench``: measured performance figures of company-batch against their targets, in one run."""
