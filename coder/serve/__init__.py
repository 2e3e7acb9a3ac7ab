"""The coding screen in a browser (``coder serve``): personal links, one ``coder code`` per
session through textual-serve. See ``coder.serve.server``."""
