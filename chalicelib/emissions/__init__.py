"""Emissions management: sites, emission sources, monitoring data, calculation
reports and their verification (DESIGN.md section 4)."""
