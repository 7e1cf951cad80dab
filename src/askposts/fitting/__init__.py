"""Fitting and measuring: labelled questions -> the answer model, and its report.

``data`` reads the site's labelled questions and turns SQuAD-es articles into posts; ``fit``
holds the grouped folds and the fits (fusion, window ranking, decision thresholds); ``train``
runs the cross-validated fit behind ``askposts fit``; ``evaluate`` measures retrieval and
answers behind ``askposts eval``.
"""
