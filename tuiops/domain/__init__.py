"""Pure, typed, frozen domain model: stdlib only, no I/O."""
