"""Team guardrails: approvals (four eyes), spend limits, change freezes and time-boxed elevation.

Each rule is a policy of the actions pipeline (`panel.actions.pipeline.POLICIES`), registered when
the app is ready; see docs/guardrails.md.
"""
