"""Offline view of a GitOps repo: reads files, never the cluster."""
