"""Views by area: `dashboard`, `servers`. Each view declares the VPSBG operations it reaches."""
