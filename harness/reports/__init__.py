"""Reports a learner opens after (and during) a competition: the post-mortem and the writeup.

`history` reads what they need through the one door (`session.open_competition`); `stats` holds the
bootstrap, the ties, the rank correlation and the calibration, computed in DuckDB over the kept
submission files joined to the labels; `mistakes` names the patterns found; `postmortem` and
`writeup` build the reports as values; `render` and `plots` turn them into Markdown and HTML pages.
"""
