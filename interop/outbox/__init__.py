"""The single outbox of every send that leaves the DCC (MSSanté, HL7…): one row per message and recipient.

A row is written in the same transaction as its cause (``services.outbox_enqueue``), carried out by the
``outbox_deliver`` Celery task through the channel named in ``settings.DCC_OUTBOX_CHANNELS``, and moved
through explicit states, each change written to ``OutboxTransition``.
"""
