"""The competition workbook (竞赛工作簿): the Excel template people fill in, and its import.

``columns`` describes every sheet and column once; ``template`` writes the template from it,
``reader`` reads a filled-in workbook with python-calamine (with the checks Excel files need:
merged cells, formulas, numbers and dates in text columns), ``importer`` validates it against
the database and writes it in bulk, all or nothing; ``cli`` adds ``template`` and ``import`` to
the command line.
"""
