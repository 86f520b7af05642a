"""公示: building, rendering and archiving notices, objections, verifying a printed PDF.

Public:
    archive  build / publish / reprint / withdraw a notice, list notices, objections;
             BUILDERS holds each kind's draft builder (the areas' notice modules)
    periods  the 公示期 rule per kind (工作日 or 天) in one table, and the period a notice states
    verify   verify_pdf: does a PDF show an archived notice (same file, re-saved copy, or changed where)
"""
