"""stylegan_edu: helpers for the book *GANs and style transfer, measured*.

Every formula in the book is backed by a tested function in this package.
Importing it has no side effects: no seeds are set, no matplotlib settings are
changed and nothing is downloaded.
"""

from stylegan_edu._budget import budget, is_quick

__version__ = "0.1.0"

__all__ = ["budget", "is_quick", "__version__"]
