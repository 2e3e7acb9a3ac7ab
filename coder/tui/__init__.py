"""The Textual coding screen: a thin layer over ``coder.coding.session``."""
