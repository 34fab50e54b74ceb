"""The benchmark harness: generated data, scenarios, a raw baseline and PostGraphile (issue 7)."""
