"""The data functions: typed results, one shared invocation helper, and the thin functions
(``get_profile``, ``get_environment(s)``, ``get_organization``, ``get_business_groups``,
``get_api_response`` and the login function ``get_access_token``, each with its ``_output``
form)."""
