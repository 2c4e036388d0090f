"""The access layer: Anypoint Access Management over HTTP, knowing nothing of Pulumi.

- :mod:`.settings`: where and how to connect, one validated :class:`ConnectionSettings` value;
- :mod:`.errors`: the exception classes, and redaction of secrets;
- :mod:`.endpoints`: the paths;
- :mod:`.models`: typed tokens and answers;
- :mod:`.transport`: one pooled HTTP session per settings value per process (loads ``requests``);
- :mod:`.client`: :class:`AccessManagementClient`, every login flow and read (loads ``requests``).

The last two load on first use, so that importing the package stays cheap.
"""
