"""Sharing fraud indicators between institutions without sharing anyone's data
(docs/intel.md)."""
