"""Pure-Python statistics for hailong's analysis: no numpy, safe to import in the API process.

proportions  Wilson intervals and the small-number rule
suppression  primary and secondary suppression of small figures
betadist     regularised incomplete beta and its inverse
shrinkage    beta-binomial empirical-Bayes estimates with credible intervals
funnel       Spiegelhalter funnel limits for proportions (FunnelPlotR's rules)
spc          Laney p′ chart with the Making Data Count rules (NHSRplotthedots 0.2.2)
compare      two-proportion z-test and Benjamini–Hochberg
official     Decision 766 ratio, Circular 01 indicators 1 and 8, SIPAS-style indices (unofficial)
integrity    integrity flags with evidence
"""
