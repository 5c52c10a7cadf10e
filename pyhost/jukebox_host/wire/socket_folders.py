"""Where a host's ipc socket files live: one temporary folder per host process (or per `render` with a private
host), named by a file holding its owner's pid, so that the folders of killed owners are found and removed."""

FOLDER_PREFIX = "jukebox-host-"
OWNER_FILE = "host.pid"  # the pid of the process that made the folder: a killed owner's folder is found by it
