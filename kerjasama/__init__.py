"""kerjasama: cited answers on Indonesian law of regional governments' international cooperation.

Nothing heavy is imported here: models and indexes load lazily when first used.
"""

__version__ = "0.1.0"
