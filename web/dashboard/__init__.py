"""The manager dashboard's pages and exports (issue 13): overview, trends, unit drill-down, officers."""
