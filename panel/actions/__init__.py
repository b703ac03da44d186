"""Actions as data: one declaration per action, one request type, one pipeline.

`base.Action` declares an action (name, label, input type, target, risk, mode);
`request.ActionRequest` is one request to run it, serialisable to JSON; `pipeline.run` is the one
way in (authorise, policies, execute now or start an operation, audit). The web form, the API
serializer and the operation kind derive their validation from the action's input type
(`forms.form_class`, `serializers.serializer_class`). Declarations live in one module per area
(`servers.py`); `registry.ACTIONS` holds them all.
"""
