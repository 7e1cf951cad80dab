"""Spanish: the language the users speak and read.

``words`` folds accents, stems and lists stop words and dates; ``patterns`` reads what kind of
answer a question asks for (a date, a count, a place, a link...); ``messages`` is the catalogue
of the text the users read.
"""
