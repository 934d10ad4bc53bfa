"""System statistics (GetStats) from stored records and the running process."""

from server.stats.report import LiveFigures, StatsCollector, build_report

__all__ = ["LiveFigures", "StatsCollector", "build_report"]
