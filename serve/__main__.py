"""``python -m serve`` is the same as the ``divert`` command."""

from serve.cli import main

main()
