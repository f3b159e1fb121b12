"""Dashboard pages of the follow-up domain: alerts with the daily digest, cases, the dossier lookup."""
