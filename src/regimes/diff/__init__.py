"""Diffs between regimes: structural, behavioural (with witnesses) and population impact."""
