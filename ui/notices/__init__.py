"""公示与台账: the notice archive, objections, printing, and the ledger export."""
