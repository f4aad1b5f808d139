"""Our format modules (settings.FORMAT_MODULE_PATH), one package per language.

Each ``<lang>/formats.py`` starts from Django's own module for the language (month
names, decimal separator) and puts the house formats of ``common.py`` over it,
so that every language shows and accepts the same dates, times and numbers.
"""
