"""Provider adapters: one interface (base.py), one module per vendor. Vendor JSON stays here."""
