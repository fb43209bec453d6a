"""Why does a kernel work? Paired comparisons on the competition's own folds (`compare`), permutation
importance, ablations, learning curves and worst rows (`explain`), and the leak guard (`leakguard`)."""
