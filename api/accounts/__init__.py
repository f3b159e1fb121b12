"""Dashboard accounts: users, sessions, sign-in throttling and the audit log."""
