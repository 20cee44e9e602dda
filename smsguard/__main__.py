"""``python -m smsguard``."""

from smsguard.cli import main

main()
