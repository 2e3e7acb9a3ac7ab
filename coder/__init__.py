"""coder: qualitative text coding for evaluators.

The core (everything here except ``coder.tui`` and ``coder.cli``) is a plain
Python library: the command line and the terminal UI are thin layers over it.
"""

__version__ = "0.1.0"
