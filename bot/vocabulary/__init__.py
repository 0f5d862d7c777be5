"""Floor 1, the vocabulary: the records and values every other part speaks. Imports `risk` only."""
