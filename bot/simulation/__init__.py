"""Floor 2, a simulated perpetual market written for the project: the demo's and the tests' venue."""
