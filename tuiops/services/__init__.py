"""State layer: async, no Textual; turns port calls into immutable snapshots."""
