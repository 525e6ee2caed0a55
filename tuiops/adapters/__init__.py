"""The only code that starts processes or talks to the network (kubectl, flux, talosctl, API)."""
