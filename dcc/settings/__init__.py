"""Settings package: ``base`` (production-safe defaults), ``dev``, ``demo``, ``test``."""
