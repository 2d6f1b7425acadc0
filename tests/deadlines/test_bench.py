import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_runs_and_prints_its_figures(capsys):
    call_command("bench_sweep", open=300, due=40, batch=16)
    out = capsys.readouterr().out
    assert "open=300 due=40 batch=16" in out
    assert "swept: overdue=40 reminded=0 escalated=0 notified=40" in out
    assert "bare SQL:" in out and "ratio:" in out
