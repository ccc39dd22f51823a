"""The trade matching notice board: listings, inquiries, contracts and statistics
(DESIGN.md section 6)."""
