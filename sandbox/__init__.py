"""The sandbox web: recorded and authored sites served under their real hostnames, for tests and demos."""
