from pathlib import Path

from .counts import ENDPOINTS, summary

COUNTS_FILE = Path(__file__).resolve().parents[2] / "var" / "fuzz-counts.txt"


def pytest_sessionfinish(session, exitstatus):
    if ENDPOINTS:
        COUNTS_FILE.parent.mkdir(exist_ok=True)
        COUNTS_FILE.write_text(summary() + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if ENDPOINTS:
        terminalreporter.write_line(summary())
