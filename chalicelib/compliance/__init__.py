"""Compliance: phases, allocation from base years, the true-up after the adjustment
period, the phase report and the report deadlines (DESIGN.md sections 4 and 5)."""
