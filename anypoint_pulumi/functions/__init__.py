"""The data functions as Python programs call them: ``get_profile``, ``get_environment(s)``,
``get_organization``, ``get_business_groups``, ``get_api_response`` and the login function
``get_access_token``, each with its ``_output`` form, over :mod:`anypoint_pulumi.core.functions`
(one shared front end, :mod:`.invoke`)."""
