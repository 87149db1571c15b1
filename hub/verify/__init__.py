"""`hub verify`: the hub's timelines against a simulation's ground truth (issue 18)."""
