"""The simulated Flux and Helm controllers: `controllers` schedules reconciles on a background
thread, `reconcilers` and `helm_sync` do one reconcile of one object, `status` and `conditions`
write Flux `status` as the 2.7 controllers do, `helm_actions`, `helm_storage` and `charts` keep
Helm's release Secrets and manifests, and `recorder` leaves Events and JSON log lines in the
controller `pods`; `objects` reads the fields of Flux objects the scenarios read too.
Everything here reads and writes the API server's store, never HTTP, and knows no scenario."""
