"""tuiops: a keyboard-driven console for Talos + Kubernetes + Flux CD homelabs."""

__version__ = "0.1.0"
