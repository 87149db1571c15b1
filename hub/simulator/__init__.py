"""Partner traffic simulator with ground truth (issue 6). An independent witness: never imports adapters, stages or settlement."""
