"""Background work: the scheduler wiring and the jobs it runs. Thin: services do the work."""
