"""Signals of the directory.

``professionals_changed``: sent after professionals were changed in bulk (``bulk_update``, ``update``), which
sends no ``post_save``. Whoever keeps copies of professionals (the signed-in user's cached identity in
``dcc.accounts``) drops them.
"""

from django.dispatch import Signal

professionals_changed = Signal()
