"""The small Protocols the services need; adapters implement them (filled in by the cluster
issues: ClusterReader, FluxControl, ReleaseHistory, LogSource, TalosReader, Clock)."""
