"""The sampling engine: model loading, conditioning labels and the sampling loop around transformers' Jukebox."""
