"""Comment analysis (issue 12): redaction, dissatisfaction learned from ratings, themes, emergent topics.

Pure-Python modules (the API may import them): ``normalise``, ``redact``, ``lexicon``, ``match``,
``featurise``, ``themes`` (lexicon part), ``cli`` (reading and checking files). Batch-only modules
(numpy, scikit-learn): ``model``, ``ngrams``, ``pipeline`` — the library entry points are
``pipeline.analyse`` and ``pipeline.theme_rows``. Evaluation: ``just eval``; speed: ``just bench comments``.
"""
