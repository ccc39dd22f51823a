"""The notice board's pure rules: listings, inquiries, deals and trade figures."""
