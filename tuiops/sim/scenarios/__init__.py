"""The named, deterministic scenarios (`healthy`, `degraded`, `large`) the simulated cluster
starts from: `catalog` builds and installs them, `build` replays the example repo's recent
past into API objects, Events and log lines, `objects` reads the Flux objects from the repo,
`degraded` and `release_workloads` play the degraded scenario's situations, and `large` adds
the bulk of the benchmark scenario."""
