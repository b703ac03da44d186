"""Sign-in with the team's identity provider (OpenID Connect), per-team sign-in rules."""
