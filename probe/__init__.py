"""``make probe``: the long hostile drills (malformed requests, kill -9 points, many watchers)."""
