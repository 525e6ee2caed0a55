"""The simulated Kubernetes API server: plain HTTP on 127.0.0.1 that kubectl and the python
client talk to. `server` routes requests to `verbs` (get/list/create/patch/delete on the
`store`), `streams` (watches and pod logs from `podlogs`) and `discovery`; `resources` names the
kinds served, `tables` renders server-side Tables, `selectors`, `patching`, `routes` and
`encoding` do what their names say, and `faults` injects latency, errors, dropped watches and
403s. It knows nothing of Flux, Talos or scenarios: they write into its store."""
