"""Writes of the RCP app, one module per topic; every function is atomic (or calls atomic ones) and keyword-only.

- ``catalogue``: RCPs, members, quorum rule, mentions and tags, code lists;
- ``agenda``: recurrences and generated sessions, a session's lifecycle, attendance, calendar feeds;
- ``dossiers``: demandes d'avis: registration, attachments, status changes, order of presentation, live session;
- ``fiches``: the fiche RCP: checked saves, validation and signature, amendments, documents, copy forward;
- ``concertations``: the CR de concertation;
- ``base``: the refusals (``TransitionError``, ``RoleRefused``, ``FicheConflict``) and helpers they share.

Reads live in ``rcp.selectors``. This package re-exports nothing: import from the module.
"""
