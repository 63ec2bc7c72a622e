"""Business rules: typed verbs that take a Session (and providers) and leave commit to callers."""
