"""Governance: who may do what, and the maker-checker workflow that takes an SMS template from
draft to an approved, immutable version and a campaign from draft to completion.

Everything here runs inside one tenant session, so each operation and its audit rows commit
together or not at all.
"""
