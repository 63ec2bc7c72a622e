"""The initial schema (revision 0001), by topic. Frozen with that revision: a later change to
the schema is a new revision, never an edit here."""
