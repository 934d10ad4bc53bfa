"""The extraction result cache shared by every replica that uses the same database."""

from server.cache.extraction_cache import ExtractionCache, cache_key, name_key

__all__ = ["ExtractionCache", "cache_key", "name_key"]
