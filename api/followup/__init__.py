"""Follow-up (issue 14): alerts on counters and on analysis runs, cases with working-day deadlines."""
