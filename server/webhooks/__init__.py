"""Webhooks: a batch's events delivered to the submitter's URL, signed, at least once, from an outbox.

``urls`` judges a ``webhook_url`` at submit (the fetcher's address guard), ``events`` turns what the
store has not announced yet into deliveries, ``signing`` signs them by the Standard Webhooks convention,
and ``dispatcher`` fills the outbox, sends what is due and records every attempt.
"""
