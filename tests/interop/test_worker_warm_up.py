from celery.signals import worker_process_init

from interop.cda.validation import compilation_counts


def test_a_worker_process_compiles_every_rule_once_at_start():
    worker_process_init.send(sender=None)
    worker_process_init.send(sender=None)

    counts = compilation_counts()
    assert len(counts) >= 7
    assert set(counts.values()) == {1}
