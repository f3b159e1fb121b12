"""The ``hailong analyze`` outputs from plain aggregated rows: indices, officers, trends, flags, files."""
