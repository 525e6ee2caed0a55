"""The simulated Talos machines and the fake `talosctl` program that answers from them:
`nodes` holds the machines (saved as a JSON state file), `talosctl` is the executable's
entry point and its installer, and `render` prints what talosctl v1.11 prints."""
