"""The ordered chain of domain-candidate finders: hint, Wikidata, web search, name-derived domains."""
