"""Pure-Python statistics for hailong's analysis: no numpy, safe to import in the API process."""
