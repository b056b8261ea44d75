"""Exercise ``debugging``: debug a colleague's bike-sharing model that looks excellent on a
random split (a target leak, a spurious time trend, a later-period evaluation)."""
