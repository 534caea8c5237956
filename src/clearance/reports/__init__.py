"""Reports: one module per output format behind ``interface.ReportFormat``.

Built-in formats are listed in ``registry``; third parties add theirs through the
``clearance.reports`` entry point group.
"""
