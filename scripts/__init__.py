"""Developer scripts (sample audio, synthesis helpers); not shipped with the package."""
