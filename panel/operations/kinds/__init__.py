"""One module per long action; `registry.KINDS` maps each kind's name to its definition."""
