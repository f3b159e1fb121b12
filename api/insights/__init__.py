"""Analysis over the store: aggregation queries, the ``hailong analyze`` batch and its stored runs."""
