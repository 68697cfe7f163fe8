"""The user-facing edge: the ``divert`` command line and the scorers."""
