"""The host process: its main loop, the job queues, the worker that runs jobs, one generate job, kept codes for
continue, and the pool backends (local worker, Ray)."""
