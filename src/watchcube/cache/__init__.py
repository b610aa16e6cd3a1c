"""The cache manager: L1 memory -> L2 Redis -> L3 stored results -> compute."""
