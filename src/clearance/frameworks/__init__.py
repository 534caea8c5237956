"""Regulations, standards and benchmarks as data: requirements mapped to controls and checks.

``model`` holds the frozen types, ``loader`` reads and validates framework files (built-in ones in
``checks/frameworks/`` and a user's own), ``evaluate`` turns a scan's findings, coverage and
attestations into one result per requirement.
"""
