"""jukebox-host: keeps Jukebox models loaded and serves the jukebox~ external over ZeroMQ."""

__version__ = "0.1.0"
