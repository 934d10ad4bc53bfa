"""Profile sources: plug-ins that turn a resolved company into findings (see ``sources.base``)."""
