"""WorldSkills marking (DOMAIN §7): marking schemes, aspect marks and standardisation.

Pure, Qt-free code: ``scheme`` reads and checks a CIS "Marking Scheme Import" workbook,
``marking`` turns judges' scores into aspect, criterion and scheme marks, ``standardise``
maps raw marks onto the WorldSkills scale, and ``cli`` adds the ``marking-scheme`` command.
"""
