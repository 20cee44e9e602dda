"""Training and evaluation of the risk model (needs the ``train`` extra: scikit-learn).

Nothing under :mod:`smsguard.risk` imports this package: scoring runs on numpy alone, and
scikit-learn is only needed to fit a new model.
"""
