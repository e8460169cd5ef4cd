"""Results of a competition as organisers publish them: the rules engine's outcomes joined to the people."""
