"""Web search providers behind one small interface (``search.base.SearchProvider``)."""
