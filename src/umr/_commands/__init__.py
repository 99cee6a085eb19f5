"""Command groups of the ``umr`` CLI, one module per group; each exposes ``register(app)``."""
