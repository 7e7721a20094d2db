"""Renderers. `record` builds the language-resolved dict every format starts from."""
