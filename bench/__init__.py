"""The flask-authjs benchmark suite: ``python -m bench [--quick | --full]``.

Every figure that matters is a ratio against a baseline measured in the same run, on the
same machine, with the variants interleaved in rounds, so that the noise of a shared
machine falls on all of them alike.
"""
