"""Floor 5 helpers of the composition root: logging with secrets redacted, per-chat update order."""
