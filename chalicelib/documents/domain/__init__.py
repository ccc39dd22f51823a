"""Document rules, without AWS."""
