"""Emissions rules, without AWS: units, factors, fiscal years, sources and the calculation."""
