"""Development tools that write committed files (not part of the service)."""
