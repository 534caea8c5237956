"""The parts of the single-file HTML report (``reports.html``): safe markup, bilingual text, charts, sections.

Everything is rendered on the server side into one file except the findings table, which the
embedded script builds from a JSON block so that 50,000 findings stay responsive.
"""
