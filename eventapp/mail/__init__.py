"""The e-mail outbox and its sender."""
