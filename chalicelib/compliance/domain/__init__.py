"""Compliance rules, without AWS: phases, allocation, true-up, the phase report, deadlines."""
