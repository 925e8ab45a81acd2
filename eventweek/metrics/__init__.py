"""The network's adoption figures over time, and the week's own outreach."""
