"""Responsible targeting: audiences as data compiled to SQL, exclusions no campaign can switch
off, a propensity model that ranks inside the database, and fairness reports
(docs/targeting.md)."""
