"""Native SOPS engine (age + AES-256-GCM): decrypt with MAC check, minimal-diff edits by text
splicing, encryption per `.sops.yaml`, re-keying. Plaintext lives only in memory."""
